// SPDX-License-Identifier: Apache-2.0
// fr_reader.h: reading snapshot files (include/fr_format.h) for frtool.
//
// fr_snapshot_open checks everything it can (magic, version, section bounds,
// checksums, event encoding, the END record) and keeps what is intact: a
// truncated file keeps its complete sections, a section with a bad checksum is
// skipped. The first defect is described in s->error.
#ifndef FR_READER_H
#define FR_READER_H

#include "fr_format.h"

#include <stddef.h>
#include <stdint.h>

struct fr_site_info {
  uint32_t id, kind, line;
  uint32_t detail;      // fr_lock_detail or FR_BLOCKING_DETAIL (call sites)
  uint32_t flags;       // FR_SITE_MUTED
  const char *function; // NUL-terminated copies; for a call site, the caller
  const char *file;
  const char *callee; // "" for function sites
};

struct fr_chunk_view {
  struct fr_chunk_header hdr;
  const uint8_t *events;
  uint64_t offset; // of the section in the file
  // Filled while the reader checks the chunk: its well-formed events.
  uint64_t event_count;
  uint64_t first_ticks, last_ticks;
  struct fr_drops {
    uint64_t reentrant; // a hook inside a hook (a signal handler's)
    uint64_t no_space;  // the pool had no chunk for the thread
    uint64_t unknown;   // version 1-3 files: the cause was not recorded
  } dropped; // what its FR_EXT_DROPPED / FR_EXT_LOST events report
};

struct fr_snapshot {
  struct fr_file_header hdr;
  uint8_t *data;
  size_t size;
  int mapped; // data is the file mapped (else a malloc'd copy)
  struct fr_site_info *sites; // sorted by id
  uint32_t site_count;
  struct fr_chunk_view *chunks;
  uint32_t chunk_count;
  int complete; // an intact END record was read
  int events_checked; // opened with FR_OPEN_CHECK_EVENTS: chunk counts are set
  struct fr_end_record end;
  int defects;     // how many defects were found
  char error[512]; // the first one
};

enum fr_open_result {
  FR_OPEN_OK = 0,
  FR_OPEN_DAMAGED = 1, // readable, with defects; what is intact is loaded
  FR_OPEN_FAILED = 2,  // unreadable, or not a snapshot at all
};

enum fr_open_result fr_snapshot_open(const char *path, struct fr_snapshot *s);
// FR_OPEN_CHECK_EVENTS (what fr_snapshot_open does): decode every event at
// open, so a malformed one is a defect found there and chunks know their
// event counts and time spans. Without it, only the structure and checksums
// are checked; commands that decode every event anyway (summary, export) use
// that and treat fr_chunk_next's -1 as the defect.
enum { FR_OPEN_CHECK_EVENTS = 1 };
enum fr_open_result fr_snapshot_open_ex(const char *path, struct fr_snapshot *s,
                                        unsigned flags);
void fr_snapshot_close(struct fr_snapshot *s);
// Done with [from, from + len) for now: a mapped file's pages there may go
// (they are read again if touched), so memory stays bounded whatever the
// size of the snapshot.
void fr_snapshot_release(const struct fr_snapshot *s, const void *from,
                         size_t len);

// The snapshot's chunks sorted by (thread, sequence), in a malloc'd array of
// chunk_count pointers (NULL when out of memory): each thread's history in
// order, as the commands replay it.
const struct fr_chunk_view **fr_snapshot_chunks_in_order(const struct fr_snapshot *s);

const struct fr_site_info *fr_snapshot_site(const struct fr_snapshot *s,
                                            uint32_t id);
double fr_snapshot_ticks_to_ns(const struct fr_snapshot *s, uint64_t ticks);

// The window every command reports: from the file's start (version 4: its
// oldest chunk; before, its first event) to the snapshot (or the last event,
// if a clock skew put one later). Needs the events checked at open.
void fr_snapshot_window(const struct fr_snapshot *s, uint64_t *from,
                        uint64_t *to);
// The same from the span of the events, for a command that has it already
// (first > last: no events).
void fr_window_from_events(const struct fr_snapshot *s, uint64_t first,
                           uint64_t last, uint64_t *from, uint64_t *to);

// Events the writers dropped: the chunks' reports of thread T (0: every
// thread) added up. Those no chunk reports (after a thread's exit) are in
// s->end.lost_events, and are counted once in fr_drops_total with T = 0.
struct fr_drops fr_snapshot_drops(const struct fr_snapshot *s, uint32_t thread);
static inline uint64_t fr_drops_sum(const struct fr_drops *d) {
  return d->reentrant + d->no_space + d->unknown;
}
uint64_t fr_drops_total(const struct fr_snapshot *s);
// The total from the chunks' reports d, already added up by the caller.
uint64_t fr_drops_total_of(const struct fr_snapshot *s, const struct fr_drops *d);

// One decoded event.
struct fr_event {
  uint64_t ticks;
  uint32_t event_class; // enum fr_event_class
  uint32_t id;          // site id, or fr_ext_kind for FR_EV_EXT
  uint64_t arg;         // FR_EXT_LOST, FR_EXT_DROPPED: count (DROPPED:
                        // field[0] by reentrancy, field[1] for want of
                        // space); FR_EXT_MUTED: site (and field[0] its
                        // events per second)
  // FR_EV_SITE: what happened (enum fr_site_event) and its fields as
  // written (see fr_format.h for which are zigzag-encoded).
  uint32_t site_event;
  uint32_t nfields;
  uint64_t field[FR_SEV_MAX_FIELDS];
  // FR_SEV_LOG: the message, inside the chunk (not NUL-terminated).
  const char *text;
  uint32_t text_len;
};

static inline int64_t fr_unzigzag(uint64_t v) {
  return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

// Where decoding of a chunk stands: events are deltas (of time, and of lock
// objects) from the previous one in the chunk.
struct fr_cursor {
  uint32_t offset;
  uint64_t ticks;
  uint64_t last_object;
};

static inline void fr_cursor_init(const struct fr_chunk_view *c,
                                  struct fr_cursor *cur) {
  cur->offset = 0;
  cur->ticks = c->hdr.base_ticks;
  cur->last_object = 0;
}

// Decoding, inline: every command runs it for every event.
static inline __attribute__((always_inline)) int
fr_get_varint(const uint8_t *p, uint32_t end, uint32_t *off, uint64_t *out) {
  // Most varints in a snapshot are one byte.
  if (__builtin_expect(!!(*off < end && p[*off] < 0x80), 1)) {
    *out = p[(*off)++];
    return 0;
  }
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*off >= end)
      return -1;
    uint8_t b = p[(*off)++];
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return 0;
    }
  }
  return -1;
}

// Decodes the chunk's next event. Returns 1 and advances, 0 at the end, -1
// on a malformed event (and the cursor is left at it). Lock events' object
// field comes out as the address. Always inlined: a call per event costs
// frtool export a fifth of its time.
static inline __attribute__((always_inline)) int fr_chunk_next(const struct fr_chunk_view *c,
                                struct fr_cursor *cur, struct fr_event *ev) {
  uint32_t end = c->hdr.event_bytes;
  if (cur->offset >= end)
    return 0;
  uint32_t off = cur->offset;
  uint64_t tag, dt;
  if (fr_get_varint(c->events, end, &off, &tag) ||
      fr_get_varint(c->events, end, &off, &dt) || tag >> 32)
    return -1;
  ev->event_class = (uint32_t)(tag & 3);
  ev->id = (uint32_t)(tag >> 2);
  ev->arg = 0;
  ev->site_event = 0;
  ev->nfields = 0;
  if (ev->event_class == FR_EV_SITE) {
    // Self-describing: an event kind this reader does not know is kept
    // (and shown as such), its fields skipped by count.
    uint64_t header;
    if (fr_get_varint(c->events, end, &off, &header) || header >> 8 ||
        (header >> 4) > FR_SEV_MAX_FIELDS)
      return -1;
    ev->site_event = (uint32_t)(header & 15);
    ev->nfields = (uint32_t)(header >> 4);
    for (uint32_t k = 0; k < ev->nfields; k++)
      if (fr_get_varint(c->events, end, &off, &ev->field[k]))
        return -1;
    ev->text = NULL;
    ev->text_len = 0;
    if (ev->site_event == FR_SEV_LOG) { // the text follows the fields
      if (ev->nfields < 2 || ev->field[1] > end - off)
        return -1;
      ev->text = (const char *)c->events + off;
      ev->text_len = (uint32_t)ev->field[1];
      off += ev->text_len;
    }
    if (ev->site_event >= FR_SEV_ACQUIRE && ev->site_event <= FR_SEV_SIGNAL &&
        ev->nfields) {
      cur->last_object += (uint64_t)fr_unzigzag(ev->field[0]);
      ev->field[0] = cur->last_object;
    }
  }
  if (ev->event_class == FR_EV_EXT) {
    switch (ev->id) {
    case FR_EXT_THREAD_START:
    case FR_EXT_THREAD_EXIT:
      break;
    case FR_EXT_LOST:
      if (fr_get_varint(c->events, end, &off, &ev->arg))
        return -1;
      break;
    case FR_EXT_DROPPED:
      if (fr_get_varint(c->events, end, &off, &ev->field[0]) ||
          fr_get_varint(c->events, end, &off, &ev->field[1]))
        return -1;
      ev->nfields = 2;
      ev->arg = ev->field[0] + ev->field[1];
      if (ev->arg < ev->field[0]) // a sum that wraps is no count
        return -1;
      break;
    case FR_EXT_MUTED: // the site, then its events per second
      if (fr_get_varint(c->events, end, &off, &ev->arg) ||
          fr_get_varint(c->events, end, &off, &ev->field[0]))
        return -1;
      ev->nfields = 1;
      break;
    default:
      return -1;
    }
  }
  cur->ticks += dt;
  ev->ticks = cur->ticks;
  cur->offset = off;
  return 1;
}


#endif // FR_READER_H
