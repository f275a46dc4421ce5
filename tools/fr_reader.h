// SPDX-License-Identifier: Apache-2.0
// fr_reader.h: reading snapshot files (include/fr_format.h) for frtool.
//
// fr_snapshot_open checks everything it can (magic, version, section bounds,
// checksums, event encoding, the END record) and keeps what is intact: a
// truncated file keeps its complete sections, a section with a bad checksum is
// skipped. The first defect is described in s->error.
#ifndef FR_READER_H
#define FR_READER_H

#include "fr_codec.h"
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
  uint64_t unknown_events; // of kinds a newer writer added: skipped
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
  // What this reader skipped without it being a defect: parts a newer
  // writer added (sections of unknown types, events of unknown kinds).
  int notes;
  char note[4][256]; // the first four
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

// One past the largest site id, when the ids are dense enough (as the
// runtime writes them: 1, 2, 3...) for an array indexed by id to be about
// the size of the site table; 0 when not (a file that names ids far apart:
// then a map).
uint32_t fr_snapshot_dense_ids(const struct fr_snapshot *s);

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

// Decoding a chunk's events: the codec shared with the runtime
// (include/fr_codec.h), over the chunk's bytes.
static inline void fr_cursor_init(const struct fr_chunk_view *c,
                                  struct fr_cursor *cur) {
  fr_cursor_start(cur, c->hdr.base_ticks);
}

// 1 and the event, 0 at the chunk's end, -1 at a malformed event.
static inline __attribute__((always_inline)) int
fr_chunk_next(const struct fr_chunk_view *c, struct fr_cursor *cur,
              struct fr_event *ev) {
  return fr_decode_next(c->events, c->hdr.event_bytes, cur, ev);
}

#endif // FR_READER_H
