// SPDX-License-Identifier: Apache-2.0
// cmd_export.c: frtool export: a snapshot as a trace other tools open.
//
//   frtool export [--format=perfetto|chrome|folded] [-o OUT] FILE
//
// perfetto (the default): Perfetto's protobuf trace format, TracePacket /
//   TrackEvent with one track per thread under one process track, interned
//   event names, slice begin/end for function calls, lock waits, condition
//   waits and blocking calls (with the fd, object, result and errno as debug
//   annotations), and instants for uncontended acquires, releases and
//   signals. Each thread is a packet sequence with an incremental clock
//   (see pb_thread). ui.perfetto.dev opens it; tools/proto/perfetto_trace.proto
//   decodes it with protoc.
// chrome: Chrome's trace-event JSON (B/E/i events per thread, thread names),
//   for small traces and viewers that read only JSON (speedscope, about:tracing).
// folded: one line per distinct stack, "main;handle;read 1234" (nanoseconds
//   of self time), for flamegraph.pl, inferno and speedscope.
//
// Streaming: each thread's chunks are read in order, twice. A first pass
// (scan_segment) finds the calls and waits already open when each run of a
// thread's chunks starts (their ends come without a beginning), which are
// then opened at the run's first event rather than dropped or invented, and
// the contended acquisitions; when there are any, a pass over the releases
// matches each to the release that let it through (find_handoffs). The last
// pass writes, Perfetto and Chrome through fr_sink, whose thread writes one
// buffer while the next is filled. Memory is bounded by the call depth, the
// number of threads, sites and contended acquisitions, and, for folded
// stacks, the number of distinct stacks: not by the size of the snapshot.
// Slices still open when a thread's events end are closed at its last
// event. A chunk missing from a thread's sequence ends its slices there and
// starts afresh.
#include "fr_events.h"
#include "fr_reader.h"
#include "fr_trigger_call.h"
#include "fr_sink.h"
#include "fr_stats.h"
#include "frtool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum format { FORMAT_PERFETTO, FORMAT_CHROME, FORMAT_FOLDED, FORMAT_HTML };
// What a slice (or, for ITEM_LOCK_OP and ITEM_USER_MARK, an instant) stands
// for.
enum item_kind {
  ITEM_FUNCTION,
  ITEM_WAIT,
  ITEM_COND,
  ITEM_CALL,
  ITEM_LOCK_OP,
  ITEM_REGION,    // a user region
  ITEM_USER_MARK, // a user task begin or end, or a log
  ITEM_DEEPER,    // folded stacks, report: every frame below MAX_SHOWN_DEPTH
  ITEM_MERGED,    // report: short slices of different kinds merged
  ITEM_MUTED,     // an instant: the overhead budget muted a site here
  ITEM_REARMED,   // an instant: and recorded it again from here
  ITEM_KINDS
};

static const char *const item_category[ITEM_KINDS] = {
    "function", "lock",     "lock",     "io",    "lock",
    "user",     "user",     "function", "function", "budget",   "budget"};

struct item {
  uint32_t kind, site;
  uint64_t start_ns, child_ns; // for folded stacks
  uint32_t node;               // folded: this frame's stack node
  // Report: the argument it began with (a blocking call's fd, a lock), for
  // the slice's detail; arg_name NULL when it had none.
  const char *arg_name;
  int64_t arg;
  int arg_is_pointer;
  // Began before the window or still running where the thread's events
  // end: its time is in the flame graph, not in summary's timed calls.
  int incomplete;
};

// Folded stacks as a tree: a node is a frame under its parent frame.
struct stack_node {
  uint32_t parent; // UINT32_MAX at the root
  uint32_t kind, site;
  uint32_t depth, path_len; // frames, and bytes of "a;b;c", to here
  uint32_t name;            // index in the exporter's names
  int ended;       // a slice of this stack ended (it is printed)
  uint64_t self_ns;
  uint64_t incomplete_ns; // of self_ns, in calls not whole in the window
  // The child found last: loops call the same functions again and again.
  uint32_t last_kind, last_site, last_child;
};

struct handoff {
  uint64_t lock;
  uint64_t wait_ns, acquired_ns; // the waiter's wait
  uint64_t release_ns;           // the release that ended it, 0 if unknown
  uint32_t waiter, releaser;     // thread indices
};

struct exporter {
  enum format format;
  FILE *out;
  const struct fr_snapshot *s;
  uint64_t first_event; // events written, for commas in JSON
  // Every (kind, site) name used, by its iid (name_iid): a direct table
  // for the site table's ids, a map for ids a file uses without naming
  // them; so memory grows with the names used, not with an id's value.
  struct name *names;
  uint32_t name_count, names_cap;
  uint32_t *name_direct; // iid -> index + 1, for iid < name_direct_slots
  uint64_t name_direct_slots;
  struct fr_map name_by_iid;
  // Perfetto
  uint32_t categories_interned; // bit per item_kind, on this sequence
  uint64_t process_uuid;
  uint32_t sequence;    // the current thread's packet sequence
  uint64_t sequence_ns; // its incremental clock: the previous packet's time
  struct fr_sink *sink; // Perfetto's and Chrome's output, to out
  uint64_t packets_left_out; // Perfetto: too large for their buffers
  uint64_t malformed_chunks; // replay stopped at a malformed event
  uint64_t unknown_events;   // of kinds a newer writer added: skipped
  // Folded stacks: (parent node, kind, site) -> node.
  struct fr_map folded;
  struct stack_node *nodes;
  uint32_t node_count, node_cap;
  // HTML report: the current thread's slices (start, duration, depth, name,
  // kind), written when the thread is done, and the names they use.
  uint64_t *slices;
  uint32_t slice_words, slice_cap;
  // The slices' details ("fd=5, result=-1, errno=EAGAIN"), each text once:
  // a slice holds its index + 1, 0 for none.
  char **details;
  uint32_t detail_count, detail_cap;
  struct fr_map detail_by_hash;
  uint64_t slice_total;    // recorded, before merging
  uint64_t slices_merged;  // merged into their neighbours (report_decimate)
  uint64_t slices_too_deep; // deeper than MAX_SHOWN_DEPTH: not drawn
  uint64_t folded_lines;
  uint64_t start_ns; // the window's first event
  // Lock hand-offs (Perfetto and Chrome): a contended acquisition and the
  // release that let it through, drawn as a flow from one to the other.
  struct handoff *handoffs;
  uint32_t handoff_count, handoff_cap;
  struct fr_map handoff_by_release, handoff_by_acquire; // key -> index
  uint64_t flow_out, flow_in; // on the next instant: starts / ends a flow
  // The current thread.
  uint32_t thread_index, tid;
  char thread_name[16];
  struct item *stack;
  uint32_t depth, stack_cap;
  struct fr_map open_items; // how many of each name_iid the stack holds
  // The items open when each segment begins (scan_segment).
  struct item *early;
  uint32_t early_count, early_cap;
};

// Monotonic nanoseconds, so tracks line up with other traces of the box.
// Fixed point (ns per tick in 32.32), as this runs for every event.
static uint64_t to_ns(const struct fr_snapshot *s, uint64_t ticks) {
  static uint64_t cached_hz;
  static unsigned __int128 mult;
  if (cached_hz != s->hdr.tick_hz) {
    cached_hz = s->hdr.tick_hz;
    mult = ((unsigned __int128)1000000000u << 32) / cached_hz;
  }
  uint64_t base = s->hdr.anchor_monotonic_ns, anchor = s->hdr.anchor_ticks;
  if (ticks >= anchor)
    return base + (uint64_t)(((unsigned __int128)(ticks - anchor) * mult) >> 32);
  uint64_t back = (uint64_t)(((unsigned __int128)(anchor - ticks) * mult) >> 32);
  return back < base ? base - back : 0;
}

// Names longer than this are shortened where they are shown: a C++
// template's name can be 62 KB, and no table or track shows more.
#define NAME_SHOWN_MAX 1024

// What a slice of (kind, site) is called, into buf.
static void site_name(const struct exporter *x, uint32_t kind, uint32_t site,
                      char buf[NAME_SHOWN_MAX + 16]) {
  const size_t size = NAME_SHOWN_MAX + 16;
  const struct fr_site_info *si = fr_snapshot_site(x->s, site);
  const char *fn = si ? (si->callee[0] ? si->callee : si->function) : NULL;
  int cut = fn && strlen(fn) > NAME_SHOWN_MAX;
  int n = NAME_SHOWN_MAX;
  if (cut) // not inside a UTF-8 sequence
    while (n > 0 && ((unsigned char)fn[n] & 0xc0) == 0x80)
      n--;
  const char *more = cut ? "..." : "";
  if (kind == ITEM_DEEPER)
    snprintf(buf, size, "[deeper frames]");
  else if (kind == ITEM_MERGED)
    snprintf(buf, size, "[short slices, merged]");
  else if (kind == ITEM_MUTED || kind == ITEM_REARMED)
    snprintf(buf, size, "%s: %.*s%s", kind == ITEM_MUTED ? "muted" : "re-armed",
             n, si ? fn : "?", si ? more : "");
  else if (si && si->kind == FR_SITE_USER) // a task, region or log category
    snprintf(buf, size, "%s%.*s%s", si->detail == FR_USER_TASK ? "task " : "",
             n, si->function, more);
  else if (!si)
    snprintf(buf, size, "%ssite#%u", kind == ITEM_WAIT   ? "wait "
                                     : kind == ITEM_COND ? "cond-wait "
                                                         : "",
             site);
  else
    snprintf(buf, size, "%s%.*s%s", kind == ITEM_WAIT   ? "wait "
                                    : kind == ITEM_COND ? "cond-wait "
                                                        : "",
             n, fn, more);
}

// A name per site and kind (a lock site's wait and its instants differ):
// the Perfetto iid, and the key of the exporter's name table.
static uint64_t name_iid(uint32_t kind, uint32_t site) {
  _Static_assert(ITEM_KINDS <= 16, "a kind fits the iid's low four bits");
  return (uint64_t)site * 16 + kind + 1;
}

struct name {
  char *text;
  char *json;            // Chrome: the name as an escaped JSON string
  uint32_t sequence;     // Perfetto: the sequence that interned it last
  uint32_t site;         // report: where it is (file:line)
};

// The name of (kind, site), made when first used; NULL when out of memory.
static struct name *name_of(struct exporter *x, uint32_t kind, uint32_t site) {
  uint64_t iid = name_iid(kind, site);
  if (!x->name_direct) {
    x->name_direct_slots = (uint64_t)x->s->site_count * 16 + 32;
    x->name_direct = calloc(x->name_direct_slots, sizeof(*x->name_direct));
    if (!x->name_direct)
      return NULL;
  }
  uint32_t *slot = iid < x->name_direct_slots ? &x->name_direct[iid]
                                              : fr_map_slot(&x->name_by_iid, iid);
  if (!slot)
    return NULL;
  uint32_t index = iid < x->name_direct_slots ? *slot - 1 : *slot;
  if (index != UINT32_MAX)
    return &x->names[index];
  if (fr_grow((void **)&x->names, &x->names_cap, x->name_count + 1,
              sizeof(*x->names)))
    return NULL;
  char text[NAME_SHOWN_MAX + 16];
  site_name(x, kind, site, text);
  struct name *n = &x->names[x->name_count];
  *n = (struct name){strdup(text), NULL, 0, site};
  if (!n->text)
    return NULL;
  *slot = iid < x->name_direct_slots ? x->name_count + 1 : x->name_count;
  x->name_count++;
  return n;
}

// ---- Protobuf ----------------------------------------------------------------

// A message being built in a fixed buffer. What does not fit sets overflow
// and is not written: a packet is whole or left out (pb_packet), never a
// length that promises bytes it lacks.
struct pb {
  uint8_t *p, *end;
  int overflow;
};

static void pb_varint(struct pb *b, uint64_t v) {
  while (b->p < b->end) {
    uint8_t byte = (uint8_t)(v & 0x7f);
    v >>= 7;
    *b->p++ = byte | (v ? 0x80 : 0);
    if (!v)
      return;
  }
  b->overflow = 1;
}

static void pb_varint_byte(struct pb *b, uint8_t byte) { // a raw byte
  if (b->p < b->end)
    *b->p++ = byte;
  else
    b->overflow = 1;
}

static void pb_key(struct pb *b, uint32_t field, uint32_t wire) {
  pb_varint(b, (uint64_t)field << 3 | wire);
}

static void pb_uint(struct pb *b, uint32_t field, uint64_t v) {
  pb_key(b, field, 0);
  pb_varint(b, v);
}

static void pb_bytes(struct pb *b, uint32_t field, const void *data, size_t n) {
  pb_key(b, field, 2);
  pb_varint(b, n);
  if ((size_t)(b->end - b->p) < n) {
    b->overflow = 1;
    return;
  }
  if (n)
    memcpy(b->p, data, n);
  b->p += n;
}

// A protobuf string is UTF-8: a byte that starts no valid sequence is
// written as '?', so that a name or log text with a stray byte (a Latin-1
// file name) keeps the trace decodable.
static void pb_string(struct pb *b, uint32_t field, const char *s) {
  size_t n = strlen(s);
  pb_key(b, field, 2);
  pb_varint(b, n);
  if ((size_t)(b->end - b->p) < n) {
    b->overflow = 1;
    return;
  }
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    size_t len = fr_utf8_sequence(p);
    if (len == 0) {
      *b->p++ = '?';
      p++;
    } else {
      memcpy(b->p, p, len);
      b->p += len;
      p += len;
    }
  }
}

// A nested message: its bytes are built in a scratch area, then copied.
#define PB_NESTED(b, field, scratch, body)                                     \
  do {                                                                         \
    uint8_t scratch##_buf[4096];                                               \
    struct pb scratch = {scratch##_buf, scratch##_buf + sizeof(scratch##_buf), \
                         0};                                                   \
    body;                                                                      \
    pb_bytes(b, field, scratch##_buf, (size_t)(scratch.p - scratch##_buf));    \
    (b)->overflow |= scratch.overflow;                                         \
  } while (0)

// Writes the message built in b (from data) as one packet; one that did not
// fit its buffers is counted and left out. Names are shortened to
// NAME_SHOWN_MAX and texts are bounded, so that never happens by design.
static void pb_packet(struct exporter *x, const struct pb *b,
                      const uint8_t *data) {
  if (b->overflow) {
    x->packets_left_out++;
    return;
  }
  size_t n = (size_t)(b->p - data);
  // Trace.packet = 1, length-delimited.
  uint8_t *start = fr_sink_reserve(x->sink, n + 12);
  struct pb h = {start, start + 12};
  pb_key(&h, 1, 2);
  pb_varint(&h, n);
  memcpy(h.p, data, n);
  fr_sink_commit(x->sink, (size_t)(h.p - start) + n);
}

static uint8_t *put_varint(uint8_t *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

// Each thread's events are one packet sequence (trusted_packet_sequence_id
// = thread index + 2; 1 is the process's) whose defaults name the thread's
// track and a sequence-scoped incremental clock, as Perfetto's own SDK
// writes them: a packet carries the nanoseconds since the sequence's
// previous packet, and no track. Names and categories are interned per
// sequence.
enum {
  PB_PROCESS_SEQUENCE = 1,
  PB_CLOCK_MONOTONIC = 3,   // ClockSnapshot.Clock.BuiltinClocks
  PB_CLOCK_INCREMENTAL = 64, // the first sequence-scoped clock id
};

// Whether the current sequence has interned name iid; marks it as interned.
static int pb_name_interned(struct exporter *x, struct name *n) {
  if (!n)
    return 0; // interned again: more bytes, not a wrong trace
  int seen = n->sequence == x->sequence;
  n->sequence = x->sequence;
  return seen;
}

// The common case, written straight into the output: a function's begin
// or end (or any end without annotations) whose name the sequence knows.
// 0 when it is not that case.
static int pb_event_plain(struct exporter *x, uint64_t ts, uint32_t type,
                          uint32_t kind, uint32_t site) {
  uint64_t iid = name_iid(kind, site);
  if (type != 2) {
    const struct name *n = name_of(x, kind, site);
    if (!(x->categories_interned & (1u << kind)) || !n ||
        n->sequence != x->sequence)
      return 0;
  }
  if (ts < x->sequence_ns) // never: a thread's clock does not go back
    ts = x->sequence_ns;
  uint8_t *start = fr_sink_reserve(x->sink, 64), *p = start + 2;
  *p++ = 8 << 3; // timestamp: delta on the incremental clock
  p = put_varint(p, ts - x->sequence_ns);
  *p++ = 10 << 3; // trusted_packet_sequence_id
  p = put_varint(p, x->sequence);
  *p++ = 11 << 3 | 2; // track_event
  uint8_t *event = p++;
  *p++ = 9 << 3; // type
  *p++ = (uint8_t)type;
  if (type != 2) {
    *p++ = 10 << 3; // name_iid
    p = put_varint(p, iid);
    *p++ = 3 << 3; // category_iids
    *p++ = (uint8_t)(kind + 1);
  }
  *event = (uint8_t)(p - event - 1);
  start[0] = 1 << 3 | 2; // Trace.packet
  start[1] = (uint8_t)(p - start - 2); // < 128: at most 11 + 6 + 4 + 11 + 2
  fr_sink_commit(x->sink, (size_t)(p - start));
  x->sequence_ns = ts;
  return 1;
}

// Track events on the thread's track: type 1 begin, 2 end, 3 instant.
static void pb_event(struct exporter *x, uint64_t ts, uint32_t type,
                     uint32_t kind, uint32_t site, const char *arg_name,
                     int64_t arg, int arg_is_pointer, const char *arg2_name,
                     const char *arg2) {
  uint64_t iid = name_iid(kind, site);
  uint64_t category_iid = kind + 1;
  if (!arg_name && !arg2_name && !x->flow_out && !x->flow_in &&
      pb_event_plain(x, ts, type, kind, site))
    return;
  uint8_t buf[4096];
  struct pb b = {buf, buf + sizeof(buf)};
  if (ts < x->sequence_ns)
    ts = x->sequence_ns;
  pb_uint(&b, 8, ts - x->sequence_ns); // timestamp, incremental
  x->sequence_ns = ts;
  pb_uint(&b, 10, x->sequence);
  if (type != 2) { // ends name nothing: they need no interned state
    struct name *n = name_of(x, kind, site);
    int new_name = !pb_name_interned(x, n);
    int new_category = !(x->categories_interned & (1u << kind));
    if (new_name || new_category) {
      const char *text = n ? n->text : "?";
      x->categories_interned |= 1u << kind;
      PB_NESTED(&b, 12, interned, { // interned_data
        if (new_category)
          PB_NESTED(&interned, 1, ec, { // event_categories
            pb_uint(&ec, 1, category_iid);
            pb_string(&ec, 2, item_category[kind]);
          });
        if (new_name)
          PB_NESTED(&interned, 2, en, { // event_names
            pb_uint(&en, 1, iid);
            pb_string(&en, 2, text);
          });
      });
    }
  }
  PB_NESTED(&b, 11, ev, { // track_event
    pb_uint(&ev, 9, type);
    if (type != 2) {
      pb_uint(&ev, 10, iid);         // name_iid
      pb_uint(&ev, 3, category_iid); // category_iids
    }
    if (arg_name)
      PB_NESTED(&ev, 4, da, {
        pb_string(&da, 10, arg_name);
        if (arg_is_pointer)
          pb_uint(&da, 7, (uint64_t)arg);
        else
          pb_uint(&da, 4, (uint64_t)arg);
      });
    if (arg2_name)
      PB_NESTED(&ev, 4, da, {
        pb_string(&da, 10, arg2_name);
        pb_string(&da, 6, arg2);
      });
    if (x->flow_out) { // flow_ids = 47, fixed64
      pb_key(&ev, 47, 1);
      for (int k = 0; k < 8; k++)
        pb_varint_byte(&ev, (uint8_t)(x->flow_out >> (8 * k)));
    }
    if (x->flow_in) { // terminating_flow_ids = 48, fixed64
      pb_key(&ev, 48, 1);
      for (int k = 0; k < 8; k++)
        pb_varint_byte(&ev, (uint8_t)(x->flow_in >> (8 * k)));
    }
  });
  pb_packet(x, &b, buf);
}

// The process's track, and the trace's clock: MONOTONIC, which the
// snapshot's timestamps are in.
static void pb_header(struct exporter *x) {
  uint8_t buf[512];
  struct pb b = {buf, buf + sizeof(buf)};
  pb_uint(&b, 10, PB_PROCESS_SEQUENCE);
  pb_uint(&b, 13, 1); // SEQ_INCREMENTAL_STATE_CLEARED
  x->process_uuid = (uint64_t)1 << 40 | x->s->hdr.pid;
  PB_NESTED(&b, 60, td, {
    pb_uint(&td, 1, x->process_uuid);
    PB_NESTED(&td, 3, pd, {
      pb_uint(&pd, 1, x->s->hdr.pid);
      pb_string(&pd, 6, x->s->hdr.program);
    });
  });
  pb_packet(x, &b, buf);
  b.p = buf;
  pb_uint(&b, 10, PB_PROCESS_SEQUENCE);
  PB_NESTED(&b, 6, cs, { // clock_snapshot
    PB_NESTED(&cs, 1, c, {
      pb_uint(&c, 1, PB_CLOCK_MONOTONIC);
      pb_uint(&c, 2, x->start_ns);
    });
    pb_uint(&cs, 2, PB_CLOCK_MONOTONIC); // primary_trace_clock
  });
  pb_packet(x, &b, buf);
}

// A thread's sequence starts: its defaults and clock, whose origin is the
// thread's first event, then its track.
static void pb_thread(struct exporter *x, uint64_t first_ns) {
  uint8_t buf[512];
  struct pb b = {buf, buf + sizeof(buf)};
  x->sequence = x->thread_index + 2;
  x->sequence_ns = first_ns;
  x->categories_interned = 0;
  pb_uint(&b, 10, x->sequence);
  pb_uint(&b, 13, 1); // SEQ_INCREMENTAL_STATE_CLEARED
  PB_NESTED(&b, 59, defaults, { // trace_packet_defaults
    pb_uint(&defaults, 58, PB_CLOCK_INCREMENTAL); // timestamp_clock_id
    PB_NESTED(&defaults, 11, te, { // track_event_defaults
      pb_uint(&te, 11, x->thread_index + 1); // track_uuid
    });
  });
  PB_NESTED(&b, 6, cs, { // clock_snapshot
    PB_NESTED(&cs, 1, c, {
      pb_uint(&c, 1, PB_CLOCK_INCREMENTAL);
      pb_uint(&c, 2, first_ns);
      pb_uint(&c, 3, 1); // is_incremental
    });
    PB_NESTED(&cs, 1, c, {
      pb_uint(&c, 1, PB_CLOCK_MONOTONIC);
      pb_uint(&c, 2, first_ns);
    });
  });
  pb_packet(x, &b, buf);
  b.p = buf;
  pb_uint(&b, 10, x->sequence);
  PB_NESTED(&b, 60, td, {
    pb_uint(&td, 1, x->thread_index + 1);
    pb_uint(&td, 5, x->process_uuid);
    PB_NESTED(&td, 4, th, {
      pb_uint(&th, 1, x->s->hdr.pid);
      pb_uint(&th, 2, x->tid);
      pb_string(&th, 5, x->thread_name);
    });
  });
  pb_packet(x, &b, buf);
}

// ---- Chrome JSON -------------------------------------------------------------


// Events are formatted by hand into a line and written with one call:
// printf's floating point alone cost a Chrome export most of its time.
static char *put_u64(char *p, uint64_t v) {
  char digits[20];
  int n = 0;
  do
    digits[n++] = (char)('0' + v % 10);
  while (v /= 10);
  while (n)
    *p++ = digits[--n];
  return p;
}

static char *put_str(char *p, const char *text) {
  size_t n = strlen(text);
  memcpy(p, text, n);
  return p + n;
}

// Microseconds with three decimals, exactly: the trace-event format's unit.
static char *put_us(char *p, uint64_t ns) {
  p = put_u64(p, ns / 1000);
  uint32_t frac = (uint32_t)(ns % 1000);
  *p++ = '.';
  *p++ = (char)('0' + frac / 100);
  *p++ = (char)('0' + frac / 10 % 10);
  *p++ = (char)('0' + frac % 10);
  return p;
}

// A name as a JSON string, escaped once per (site, kind) and kept.
static const char *chrome_name(struct exporter *x, uint32_t kind,
                               uint32_t site) {
  struct name *n = name_of(x, kind, site);
  if (!n)
    return "\"?\"";
  if (!n->json) {
    char escaped[6 * (NAME_SHOWN_MAX + 16) + 3];
    fr_json_escape(escaped, sizeof(escaped), n->text);
    n->json = strdup(escaped);
    if (!n->json)
      return "\"?\"";
  }
  return n->json;
}

static void chrome_event(struct exporter *x, uint64_t ts, char ph,
                         uint32_t kind, uint32_t site, const char *arg_name,
                         int64_t arg, int arg_is_pointer,
                         const char *arg2_name, const char *arg2) {
  // Fixed parts, a name (NAME_SHOWN_MAX + 16 bytes, 6,243 escaped), a log's
  // text (200, 1,203 escaped), a site (300, 1,803 escaped) and a flow fit
  // with room to spare.
  enum { LINE_MAX = 16384 };
  char *line = (char *)fr_sink_reserve(x->sink, LINE_MAX), *p = line;
  const char *limit = line + LINE_MAX - 512; // the flow's part after
  if (x->first_event++)
    *p++ = ',';
  p = put_str(p, "\n{\"ph\":\"");
  *p++ = ph;
  p = put_str(p, "\",\"pid\":");
  p = put_u64(p, x->s->hdr.pid);
  p = put_str(p, ",\"tid\":");
  p = put_u64(p, x->tid);
  p = put_str(p, ",\"ts\":");
  p = put_us(p, ts);
  if (ph != 'E') {
    p = put_str(p, ",\"cat\":\"");
    p = put_str(p, item_category[kind]);
    p = put_str(p, "\",\"name\":");
    const char *name = chrome_name(x, kind, site);
    size_t n = strlen(name);
    if (n > (size_t)(limit - p))
      n = 0; // cannot happen: see above
    memcpy(p, name, n);
    p += n;
  }
  if (ph == 'i')
    p = put_str(p, ",\"s\":\"t\"");
  if (arg_name || arg2_name) {
    p = put_str(p, ",\"args\":{");
    if (arg_name)
      p += snprintf(p, 96, arg_is_pointer ? "\"%s\":\"%#llx\"" : "\"%s\":%lld",
                    arg_name, (long long)arg);
    if (arg2_name) {
      p += snprintf(p, 64, "%s\"%s\":", arg_name ? "," : "", arg2_name);
      p += fr_json_escape(p, (size_t)(limit - p) / 2, arg2);
    }
    const struct fr_site_info *si = fr_snapshot_site(x->s, site);
    if (si && ph != 'E' && si->file[0]) {
      char where[300];
      snprintf(where, sizeof(where), "%.255s:%u", si->file, si->line);
      p = put_str(p, ",\"site\":");
      p += fr_json_escape(p, (size_t)(limit - p), where);
    }
    *p++ = '}';
  }
  *p++ = '}';
  if (x->flow_out || x->flow_in) { // Chrome's flow events, bound to this one
    p += snprintf(p, 160,
                  ",\n{\"ph\":\"%s\"%s,\"id\":%llu,\"cat\":\"lock\",\"name\":"
                  "\"handoff\",\"pid\":%u,\"tid\":%u,\"ts\":",
                  x->flow_out ? "s" : "f", x->flow_out ? "" : ",\"bp\":\"e\"",
                  (unsigned long long)(x->flow_out ? x->flow_out : x->flow_in),
                  x->s->hdr.pid, x->tid);
    p = put_us(p, ts);
    *p++ = '}';
  }
  fr_sink_commit(x->sink, (size_t)(p - line));
}

static void chrome_string(struct exporter *x, const char *text) {
  char escaped[6 * 256 + 3];
  fr_json_escape(escaped, sizeof(escaped), text);
  fr_sink_write(x->sink, escaped, strlen(escaped));
}

// ---- Folded stacks ----------------------------------------------------------

static uint64_t node_hash(uint32_t parent, uint32_t kind, uint32_t site) {
  uint64_t h = ((uint64_t)parent << 32 | site) * 0x9e3779b97f4a7c15ull;
  return h ^ (kind + 1) * 0xbf58476d1ce4e5b9ull;
}

// The node for frame (kind, site) under parent, created when new.
static uint32_t stack_node(struct exporter *x, uint32_t parent, uint32_t kind,
                           uint32_t site) {
  if (parent != UINT32_MAX) {
    const struct stack_node *p = &x->nodes[parent];
    if (p->last_child != UINT32_MAX && p->last_kind == kind &&
        p->last_site == site)
      return p->last_child;
  }
  uint64_t h = node_hash(parent, kind, site);
  for (;;) {
    uint32_t *slot = fr_map_slot(&x->folded, h);
    if (!slot)
      return UINT32_MAX;
    if (*slot == UINT32_MAX) {
      if (fr_grow((void **)&x->nodes, &x->node_cap, x->node_count + 1,
                  sizeof(*x->nodes)))
        return UINT32_MAX;
      *slot = x->node_count++;
      const struct name *name = name_of(x, kind, site);
      uint32_t len = name ? (uint32_t)strlen(name->text) : 1;
      const struct stack_node *up =
          parent == UINT32_MAX ? NULL : &x->nodes[parent];
      x->nodes[*slot] = (struct stack_node){
          parent, kind, site, up ? up->depth + 1 : 1,
          up ? up->path_len + 1 + len : len, 0, 0, 0, 0, 0, UINT32_MAX};
    }
    const struct stack_node *n = &x->nodes[*slot];
    if (n->parent == parent && n->kind == kind && n->site == site) {
      if (parent != UINT32_MAX) {
        struct stack_node *p = &x->nodes[parent];
        p->last_kind = kind;
        p->last_site = site;
        p->last_child = *slot;
      }
      return *slot;
    }
    h = h * 31 + 7; // another frame with the same hash: probe on
  }
}

// Folded stacks keep roots: a stack deeper than this many frames, or whose
// "a;b;c" text would pass FOLDED_PATH_MAX bytes, has its deeper frames
// merged into one "[deeper frames]" frame (a stack overflow's 200,000
// frames are one line, not 200,000 lines of ever longer stacks).
#define MAX_SHOWN_DEPTH 128
#define FOLDED_PATH_MAX 16384

// The node a frame (kind, site) opened under parent gets in the stacks.
static uint32_t frame_node(struct exporter *x, uint32_t parent, uint32_t kind,
                           uint32_t site) {
  if (parent != UINT32_MAX && x->nodes[parent].kind == ITEM_DEEPER)
    return parent; // already below the cut
  uint32_t node = stack_node(x, parent, kind, site);
  if (node == UINT32_MAX || parent == UINT32_MAX)
    return node;
  const struct stack_node *n = &x->nodes[node];
  if (n->depth > MAX_SHOWN_DEPTH || n->path_len > FOLDED_PATH_MAX)
    return stack_node(x, parent, ITEM_DEEPER, 0);
  return node;
}

static uint32_t parent_key(const struct exporter *x, uint32_t node) {
  uint32_t p = x->nodes[node].parent;
  return p == UINT32_MAX ? x->node_count : p; // the roots' "parent": n
}

static int node_order(const void *a, const void *b, void *arg) {
  const struct exporter *x = arg;
  uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
  uint32_t p = parent_key(x, i), q = parent_key(x, j);
  if (p != q)
    return p < q ? -1 : 1;
  return strcmp(x->names[x->nodes[i].name].text,
                x->names[x->nodes[j].name].text);
}

// Calls line(x, "main;parse;read", self ns) for every stack that ended,
// parents before children, siblings by name: the same lines in the same
// order for equal snapshots. Memory: the nodes and one path, whatever the
// number of lines.
static void folded_walk(struct exporter *x,
                        void (*line)(struct exporter *, const char *,
                                     const struct stack_node *)) {
  uint32_t n = x->node_count;
  uint32_t *order = malloc((n + 1) * sizeof(*order));
  uint32_t *first = calloc(n + 2, sizeof(*first)); // children of p: order
                                                   // [first[p], first[p+1])
  char *path = malloc(FOLDED_PATH_MAX + NAME_SHOWN_MAX + 32);
  int named = 1;
  for (uint32_t i = 0; order && i < n; i++) {
    const struct name *nm = name_of(x, x->nodes[i].kind, x->nodes[i].site);
    named &= nm != NULL;
    x->nodes[i].name = nm ? (uint32_t)(nm - x->names) : 0;
    order[i] = i;
  }
  if (!order || !first || !path || !named || !n)
    goto done;
  qsort_r(order, n, sizeof(*order), node_order, x);
  for (uint32_t i = 0; i < n; i++)
    first[parent_key(x, i) + 1]++;
  for (uint32_t p = 0; p <= n; p++)
    first[p + 1] += first[p];
  // Depth-first; frames are at most MAX_SHOWN_DEPTH + 1 deep (frame_node).
  struct {
    uint32_t next, end;
    size_t len; // of the path above this level
  } level[MAX_SHOWN_DEPTH + 3];
  int depth = 0;
  level[0].next = first[n];
  level[0].end = first[n + 1];
  level[0].len = 0;
  while (depth >= 0) {
    if (level[depth].next >= level[depth].end) {
      depth--;
      continue;
    }
    uint32_t node = order[level[depth].next++];
    const struct stack_node *sn = &x->nodes[node];
    const char *text = x->names[sn->name].text;
    size_t at = level[depth].len, len = strlen(text);
    if (at + 1 + len > FOLDED_PATH_MAX + NAME_SHOWN_MAX + 16)
      continue; // cannot happen: frame_node cut the stack before
    if (at)
      path[at++] = ';';
    // A space would end the stack, a ';' split a frame, a line break end
    // the line: each is replaced, one character for one.
    for (size_t k = 0; k < len; k++) {
      unsigned char c = (unsigned char)text[k];
      path[at + k] = c == ' ' ? '_' : c == ';' ? ':' : c < 0x20 ? '?' : c;
    }
    path[at + len] = 0;
    if (sn->ended)
      line(x, path, sn);
    if (depth + 1 < MAX_SHOWN_DEPTH + 3) {
      depth++;
      level[depth].next = first[node];
      level[depth].end = first[node + 1];
      level[depth].len = at + len;
    }
  }
done:
  free(order);
  free(first);
  free(path);
}

static void folded_line(struct exporter *x, const char *path,
                        const struct stack_node *sn) {
  fprintf(x->out, "%s %llu\n", path, (unsigned long long)sn->self_ns);
}

static void folded_write(struct exporter *x) { folded_walk(x, folded_line); }

// ---- HTML report -------------------------------------------------------------

#include "report_html.h"


// The page's timeline keeps apart what is at least window / this long: a
// slice shorter than that is merged with its short neighbours at the same
// depth into one slice that says how many it holds. So a 268 MB snapshot
// gives a page a browser opens (its 7 M slices become at most a few
// hundred thousand), while zooming 10x into a full-screen timeline still
// shows single calls as they were.
#define REPORT_RESOLUTION 20000
// Each slice: start, duration, depth, name, kind, how many it merges, and
// its detail (index + 1 in the details, 0 for none).
#define SLICE_WORDS 7

static uint32_t report_name(struct exporter *x, uint32_t kind, uint32_t site) {
  const struct name *n = name_of(x, kind, site);
  return n ? (uint32_t)(n - x->names) : 0;
}

static uint64_t detail_hash(const char *text) {
  uint64_t h = 0xcbf29ce484222325ull; // FNV-1a
  for (; *text; text++)
    h = (h ^ (unsigned char)*text) * 0x100000001b3ull;
  return h;
}

// The detail's index + 1 in the report's details, added when new; 0 when
// out of memory. Two texts with one hash are kept apart (the second is
// added again, not mistaken for the first).
static uint64_t report_detail(struct exporter *x, const char *text) {
  uint32_t *slot = fr_map_slot(&x->detail_by_hash, detail_hash(text));
  if (slot && *slot != UINT32_MAX && !strcmp(x->details[*slot], text))
    return (uint64_t)*slot + 1;
  if (fr_grow((void **)&x->details, &x->detail_cap, x->detail_count + 1,
              sizeof(*x->details)))
    return 0;
  char *copy = strdup(text);
  if (!copy)
    return 0;
  x->details[x->detail_count] = copy;
  if (slot && *slot == UINT32_MAX)
    *slot = x->detail_count;
  return ++x->detail_count;
}

// What a slice's detail says: the argument it began with and what its end
// said ("fd=5, result=-1, errno=EAGAIN"), as dump words them.
static uint64_t slice_detail(struct exporter *x, const struct item *it,
                             const char *end_name, int64_t end_arg,
                             const char *end2_name, const char *end2) {
  char text[160];
  size_t n = 0;
  text[0] = 0;
  if (it->arg_name)
    n += (size_t)snprintf(text + n, sizeof(text) - n,
                          it->arg_is_pointer ? "%s=%#llx" : "%s=%lld",
                          it->arg_name, (long long)it->arg);
  if (end_name && n < sizeof(text))
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s=%lld",
                          n ? ", " : "", end_name, (long long)end_arg);
  if (end2_name && end2 && n < sizeof(text))
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s=%s",
                          n ? ", " : "", end2_name, end2);
  return text[0] ? report_detail(x, text) : 0;
}

static void report_slice(struct exporter *x, const struct item *it,
                         uint64_t took, uint64_t detail) {
  uint64_t depth = (uint64_t)(it - x->stack);
  if (depth > MAX_SHOWN_DEPTH) { // part of the frame drawn as "deeper"
    x->slices_too_deep++;
    return;
  }
  if (x->slice_words + SLICE_WORDS > x->slice_cap &&
      fr_grow((void **)&x->slices, &x->slice_cap, x->slice_words + SLICE_WORDS,
              sizeof(uint64_t)))
    return;
  uint64_t *w = x->slices + x->slice_words;
  w[0] = it->start_ns > x->start_ns ? it->start_ns - x->start_ns : 0;
  w[1] = took;
  w[2] = depth;
  w[3] = report_name(x, it->kind, it->site);
  w[4] = it->kind;
  w[5] = 1;
  w[6] = detail;
  x->slice_words += SLICE_WORDS;
}

static int slice_by_depth(const void *a, const void *b) {
  const uint64_t *x = a, *y = b;
  if (x[2] != y[2])
    return x[2] < y[2] ? -1 : 1;
  return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int slice_order(const void *a, const void *b) {
  const uint64_t *x = a, *y = b;
  if (x[0] != y[0])
    return x[0] < y[0] ? -1 : 1;
  return x[2] < y[2] ? -1 : x[2] > y[2]; // outer first
}

// Merges runs of slices shorter than the resolution at the same depth,
// each run at most a resolution wide, in place; returns how many slices
// were merged away.
static uint64_t report_decimate(struct exporter *x, uint64_t resolution) {
  uint32_t n = x->slice_words / SLICE_WORDS, out = 0;
  uint64_t merged = 0;
  fr_sort(x->slices, n, SLICE_WORDS * sizeof(uint64_t), slice_by_depth);
  for (uint32_t i = 0; i < n;) {
    uint64_t *first = x->slices + (size_t)i * SLICE_WORDS;
    uint32_t j = i + 1;
    uint64_t end = first[0] + first[1];
    uint64_t name = first[3], kind = first[4];
    if (first[1] < resolution) {
      while (j < n) {
        const uint64_t *next = x->slices + (size_t)j * SLICE_WORDS;
        if (next[2] != first[2] || next[1] >= resolution ||
            next[0] + next[1] > first[0] + resolution)
          break;
        if (next[0] + next[1] > end)
          end = next[0] + next[1];
        if (next[3] != name)
          name = UINT64_MAX;
        if (next[4] != kind)
          kind = UINT64_MAX;
        j++;
      }
    }
    uint64_t *dst = x->slices + (size_t)out * SLICE_WORDS;
    memmove(dst, first, SLICE_WORDS * sizeof(uint64_t));
    if (j - i > 1) {
      dst[1] = end - dst[0];
      dst[3] = name != UINT64_MAX ? name : report_name(x, ITEM_MERGED, 0);
      dst[4] = kind != UINT64_MAX ? kind : ITEM_MERGED;
      dst[5] = j - i;
      dst[6] = 0; // each had its own
      merged += j - i - 1;
    }
    out++;
    i = j;
  }
  x->slice_words = out * SLICE_WORDS;
  fr_sort(x->slices, out, SLICE_WORDS * sizeof(uint64_t), slice_order);
  return merged;
}

// Writes the thread's slices, in start order, and forgets them.
static void report_thread(struct exporter *x) {
  x->slice_total += x->slice_words / SLICE_WORDS;
  uint64_t end = to_ns(x->s, x->s->hdr.snapshot_ticks);
  uint64_t window = end > x->start_ns ? end - x->start_ns : 0;
  x->slices_merged += report_decimate(x, window / REPORT_RESOLUTION);
  fprintf(x->out, "%s{\"index\":%u,\"tid\":%u,\"name\":",
          x->first_event++ ? ",\n" : "", x->thread_index, x->tid);
  fr_json_string(x->out, x->thread_name);
  fprintf(x->out, ",\"slices\":[");
  for (uint32_t i = 0; i < x->slice_words; i++)
    fprintf(x->out, "%s%llu", i ? "," : "", (unsigned long long)x->slices[i]);
  fprintf(x->out, "]}");
  x->slice_words = 0;
}

static void report_begin(struct exporter *x) {
  const char *page = (const char *)fr_report_html;
  const char *mark = strstr(page, "/*FR_REPORT_DATA*/");
  fwrite(page, 1, (size_t)(mark - page), x->out);
  char why[512];
  fr_format_trigger(x->s, why, sizeof(why));
  fprintf(x->out, "{\"program\":");
  fr_json_string(x->out, x->s->hdr.program);
  fprintf(x->out, ",\"pid\":%u,\"trigger\":", x->s->hdr.pid);
  fr_json_string(x->out, why);
  fprintf(x->out, ",\"start_ns\":0,\"threads\":[\n");
}

// [path, self ns, the frame's kind, of its self ns how much is in calls
// not whole in the window]: what the page needs to say why the flame graph
// and the functions table differ.
static void report_folded_line(struct exporter *x, const char *path,
                               const struct stack_node *sn) {
  fprintf(x->out, "%s[", x->folded_lines++ ? "," : "");
  fr_json_string(x->out, path);
  fprintf(x->out, ",%llu,%u,%llu]", (unsigned long long)sn->self_ns, sn->kind,
          (unsigned long long)sn->incomplete_ns);
}

// Where the page marks the trigger: the call that fired a condition (its
// thread and span), or the moment any other trigger took the snapshot.
static void report_trigger(struct exporter *x, uint64_t end) {
  const struct fr_chunk_view **order = fr_snapshot_chunks_in_order(x->s);
  uint64_t from = 0, to = 0;
  if (order && fr_trigger_call(x->s, order, &from, &to) == FR_TRIGGER_CALL_FOUND) {
    uint64_t a = to_ns(x->s, from), b = to_ns(x->s, to);
    fprintf(x->out, ",\"trigger_call\":{\"thread\":%u,\"from_ns\":%llu,\"to_ns\":%llu}",
            x->s->hdr.trigger_thread,
            (unsigned long long)(a > x->start_ns ? a - x->start_ns : 0),
            (unsigned long long)(b > x->start_ns ? b - x->start_ns : 0));
  } else {
    fprintf(x->out, ",\"trigger_call\":null");
  }
  free(order);
  fprintf(x->out, ",\"trigger_ns\":%llu",
          (unsigned long long)(end > x->start_ns ? end - x->start_ns : 0));
}

static int report_end(struct exporter *x) {
  uint64_t end = to_ns(x->s, x->s->hdr.snapshot_ticks);
  fprintf(x->out, "]");
  report_trigger(x, end);
  fprintf(x->out,
          ",\n\"end_ns\":%llu,\"slice_count\":%llu,\"slices_merged\":%llu,"
          "\"slices_too_deep\":%llu,\"max_depth\":%u,\"names\":[",
          (unsigned long long)(end > x->start_ns ? end - x->start_ns : 0),
          (unsigned long long)x->slice_total,
          (unsigned long long)x->slices_merged,
          (unsigned long long)x->slices_too_deep, MAX_SHOWN_DEPTH);
  for (uint32_t i = 0; i < x->name_count; i++) {
    fprintf(x->out, "%s", i ? "," : "");
    fr_json_string(x->out, x->names[i].text);
  }
  // Where each name's site is, for the slice's detail.
  fprintf(x->out, "],\n\"places\":[");
  for (uint32_t i = 0; i < x->name_count; i++) {
    const struct fr_site_info *si = fr_snapshot_site(x->s, x->names[i].site);
    char place[320] = "";
    if (si && si->file && si->file[0])
      snprintf(place, sizeof(place), "%.300s:%u", si->file, si->line);
    fprintf(x->out, "%s", i ? "," : "");
    fr_json_string(x->out, place);
  }
  fprintf(x->out, "],\n\"details\":[");
  for (uint32_t i = 0; i < x->detail_count; i++) {
    fprintf(x->out, "%s", i ? "," : "");
    fr_json_string(x->out, x->details[i]);
  }
  fprintf(x->out, "],\n\"folded\":[");
  x->folded_lines = 0;
  folded_walk(x, report_folded_line);
  fprintf(x->out, "],\n\"summary\":");
  // The summary's JSON has no "<" in its text fields' escapes; names in it
  // could, so it is written through the same path as the command's output.
  if (fr_summary_json(x->s, 50, x->out) != 0)
    return -1;
  fprintf(x->out, "}");
  const char *page = (const char *)fr_report_html;
  const char *mark = strstr(page, "/*FR_REPORT_DATA*/");
  fputs(mark + strlen("/*FR_REPORT_DATA*/"), x->out);
  return 0;
}

// ---- The replay --------------------------------------------------------------

// One slice begins (kind, site) at ts, with an optional argument.
static void emit_begin(struct exporter *x, uint64_t ts, uint32_t kind,
                       uint32_t site, const char *arg_name, int64_t arg,
                       int is_pointer) {
  if (x->depth == x->stack_cap &&
      fr_grow((void **)&x->stack, &x->stack_cap, x->depth + 1,
              sizeof(*x->stack)))
    return;
  uint32_t node = 0;
  if (x->format == FORMAT_FOLDED || x->format == FORMAT_HTML)
    node = frame_node(x, x->depth ? x->stack[x->depth - 1].node : UINT32_MAX,
                      kind, site);
  x->stack[x->depth++] = (struct item){kind,     site, ts,  0,
                                       node,     arg_name, arg, is_pointer};
  fr_open_add(&x->open_items, name_iid(kind, site), 1);
  if (x->format == FORMAT_PERFETTO)
    pb_event(x, ts, 1, kind, site, arg_name, arg, is_pointer, NULL, NULL);
  else if (x->format == FORMAT_CHROME)
    chrome_event(x, ts, 'B', kind, site, arg_name, arg, is_pointer, NULL, NULL);
}

// Ends the top slice at ts.
static void emit_end(struct exporter *x, uint64_t ts, const char *arg_name,
                     int64_t arg, const char *arg2_name, const char *arg2) {
  struct item *it = &x->stack[x->depth - 1];
  uint64_t took = ts > it->start_ns ? ts - it->start_ns : 0;
  if (x->format == FORMAT_FOLDED || x->format == FORMAT_HTML) {
    if (it->node != UINT32_MAX) {
      uint64_t self = took > it->child_ns ? took - it->child_ns : 0;
      x->nodes[it->node].self_ns += self;
      if (it->incomplete)
        x->nodes[it->node].incomplete_ns += self;
      x->nodes[it->node].ended = 1;
    }
    if (x->format == FORMAT_HTML)
      report_slice(x, it, took,
                   slice_detail(x, it, arg_name, arg, arg2_name, arg2));
  } else if (x->format == FORMAT_PERFETTO)
    pb_event(x, ts, 2, it->kind, it->site, arg_name, arg, 0, arg2_name, arg2);
  else
    chrome_event(x, ts, 'E', it->kind, it->site, arg_name, arg, 0, arg2_name,
                 arg2);
  fr_open_add(&x->open_items, name_iid(it->kind, it->site), -1);
  x->depth--;
  if (x->depth)
    x->stack[x->depth - 1].child_ns += took;
}

static void emit_instant(struct exporter *x, uint64_t ts, uint32_t site,
                         const char *what, uint64_t object) {
  if (x->format == FORMAT_PERFETTO)
    pb_event(x, ts, 3, ITEM_LOCK_OP, site, what, (int64_t)object, 1, NULL,
             NULL);
  else if (x->format == FORMAT_CHROME)
    chrome_event(x, ts, 'i', ITEM_LOCK_OP, site, what, (int64_t)object, 1,
                 NULL, NULL);
}

// ---- Lock hand-offs ------------------------------------------------------------

static uint64_t handoff_key(uint32_t thread, uint64_t ns, uint64_t lock) {
  uint64_t h = (ns * 0x9e3779b97f4a7c15ull) ^ (lock * 0xbf58476d1ce4e5b9ull);
  return h ^ thread;
}

static int handoff_order(const void *a, const void *b) {
  const struct handoff *x = a, *y = b;
  if (x->lock != y->lock)
    return x->lock < y->lock ? -1 : 1;
  return x->acquired_ns < y->acquired_ns ? -1 : x->acquired_ns > y->acquired_ns;
}

// A contended acquisition found by the first pass (scan_segment).
static void note_contended(struct exporter *x, uint64_t lock, uint64_t wait_ns,
                           uint64_t acquired_ns, uint32_t thread) {
  if (!fr_grow((void **)&x->handoffs, &x->handoff_cap, x->handoff_count + 1,
               sizeof(*x->handoffs)))
    x->handoffs[x->handoff_count++] =
        (struct handoff){lock, wait_ns, acquired_ns, 0, thread, 0};
}

// After the first pass found the contended acquisitions: for each, the last
// release of that lock, on another thread, between the wait's start and the
// acquisition. A second pass over every chunk, only when there are any.
// Memory grows with the number of contended acquisitions only.
static void find_handoffs(struct exporter *x,
                          const struct fr_chunk_view *const *order, uint32_t n) {
  if (!x->handoff_count)
    return;
  fr_sort(x->handoffs, x->handoff_count, sizeof(*x->handoffs), handoff_order);
  for (uint32_t i = 0; i < n; i++) {
    struct fr_cursor cur;
    struct fr_event ev;
    fr_cursor_init(order[i], &cur);
    uint32_t thread = order[i]->hdr.thread_index;
    while (fr_chunk_next(order[i], &cur, &ev) == 1) {
      if (ev.event_class != FR_EV_SITE || ev.site_event != FR_SEV_RELEASE ||
          !ev.nfields)
        continue;
      uint64_t ts = to_ns(x->s, ev.ticks), lock = ev.field[0];
      // The first acquisition of this lock at or after the release.
      uint32_t lo = 0, hi = x->handoff_count;
      while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        const struct handoff *h = &x->handoffs[mid];
        if (h->lock < lock || (h->lock == lock && h->acquired_ns < ts))
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo < x->handoff_count) {
        struct handoff *h = &x->handoffs[lo];
        if (h->lock == lock && h->waiter != thread && ts >= h->wait_ns &&
            ts >= h->release_ns) {
          h->release_ns = ts;
          h->releaser = thread;
        }
      }
    }
    fr_snapshot_release(x->s, order[i]->events, order[i]->hdr.event_bytes);
  }
  for (uint32_t i = 0; i < x->handoff_count; i++) {
    const struct handoff *h = &x->handoffs[i];
    if (!h->release_ns)
      continue;
    uint32_t *r = fr_map_slot(&x->handoff_by_release,
                              handoff_key(h->releaser, h->release_ns, h->lock));
    uint32_t *a = fr_map_slot(&x->handoff_by_acquire,
                              handoff_key(h->waiter, h->acquired_ns, h->lock));
    if (r && *r == UINT32_MAX)
      *r = i;
    if (a && *a == UINT32_MAX)
      *a = i;
  }
}

// The flow id (index + 1) of the hand-off whose release or acquisition this
// is; 0 if none.
static uint64_t handoff_flow(struct exporter *x, int release, uint64_t ts,
                             uint64_t lock) {
  struct fr_map *m = release ? &x->handoff_by_release : &x->handoff_by_acquire;
  if (!m->count)
    return 0;
  uint32_t *slot = fr_map_slot(m, handoff_key(x->thread_index, ts, lock));
  if (!slot || *slot == UINT32_MAX)
    return 0;
  const struct handoff *h = &x->handoffs[*slot];
  int same = release ? h->releaser == x->thread_index && h->release_ns == ts
                     : h->waiter == x->thread_index && h->acquired_ns == ts;
  return same && h->lock == lock ? *slot + 1 : 0;
}

// A task's begin or end, or a log: an instant named by the task or the log's
// category, with the task id and (a log's) text.
static void emit_user_mark(struct exporter *x, uint64_t ts,
                           const struct fr_event *ev) {
  char text[FR_LOG_MAX_BYTES + 1] = "";
  const char *what = ev->site_event == FR_SEV_TASK_BEGIN ? "begin"
                     : ev->site_event == FR_SEV_TASK_END ? "end"
                                                         : NULL;
  if (ev->site_event == FR_SEV_LOG) {
    memcpy(text, ev->text, ev->text_len);
    text[ev->text_len] = 0;
  }
  int64_t task = ev->nfields ? (int64_t)ev->field[0] : 0;
  if (x->format == FORMAT_PERFETTO)
    pb_event(x, ts, 3, ITEM_USER_MARK, ev->id, "task", task, 0,
             what ? "task" : "message", what ? what : text);
  else if (x->format == FORMAT_CHROME)
    chrome_event(x, ts, 'i', ITEM_USER_MARK, ev->id, "task", task, 0,
                 what ? "event" : "message", what ? what : text);
}

// Which open item an event begins or ends: returns 1 for a begin, -1 for an
// end, 0 for neither; *kind and the site say which.
static int classify(const struct fr_event *ev, uint32_t *kind) {
  switch (ev->event_class) {
  case FR_EV_ENTER:
    *kind = ITEM_FUNCTION;
    return 1;
  case FR_EV_EXIT:
    *kind = ITEM_FUNCTION;
    return -1;
  case FR_EV_SITE:
    switch (ev->site_event) {
    case FR_SEV_WAIT:
      *kind = ITEM_WAIT;
      return 1;
    case FR_SEV_ACQUIRED:
      *kind = ITEM_WAIT;
      return -1;
    case FR_SEV_COND_WAIT:
      *kind = ITEM_COND;
      return 1;
    case FR_SEV_COND_WOKEN:
      *kind = ITEM_COND;
      return -1;
    case FR_SEV_CALL:
      *kind = ITEM_CALL;
      return 1;
    case FR_SEV_RETURN:
      *kind = ITEM_CALL;
      return -1;
    case FR_SEV_REGION_BEGIN:
      *kind = ITEM_REGION;
      return 1;
    case FR_SEV_REGION_END:
      *kind = ITEM_REGION;
      return -1;
    }
  }
  return 0;
}

// Finds the open item an end matches, from the top; -1 if none. counts
// says how many of each (kind, site) are open, so an end that matches none
// costs no search.
static int find_open(const struct item *stack, uint32_t depth, uint32_t kind,
                     uint32_t site, struct fr_map *counts) {
  if (!fr_open_count(counts, name_iid(kind, site)))
    return -1;
  for (uint32_t i = depth; i-- > 0;)
    if (stack[i].kind == kind && stack[i].site == site)
      return (int)i;
  return -1;
}

// How many open items stay when the stack is back at a frame of site
// (FR_EXT_RESUMED): those up to its innermost open frame; none when it has
// no open frame (it began before them all).
static uint32_t resumed_depth(const struct item *stack, uint32_t depth,
                              uint32_t site, struct fr_map *counts) {
  int at = find_open(stack, depth, ITEM_FUNCTION, site, counts);
  return at < 0 ? 0 : (uint32_t)at + 1;
}

// A run of a thread's chunks without a gap, and the items open when it
// begins (early[early_at ..], outermost first).
struct segment {
  uint32_t from, to;
  uint32_t early_at, early_count;
};

// The first pass, over chunks [from, to): the items open when they begin
// appended to x->early, and, when flows are drawn, the contended
// acquisitions.
static void scan_segment(struct exporter *x,
                         const struct fr_chunk_view *const *chunks,
                         struct segment *seg) {
  struct item *open = NULL;
  uint32_t depth = 0, open_cap = 0;
  struct fr_map open_counts = {0};
  uint64_t wait_lock = 0, wait_ns = 0;
  int waiting = 0, contended = x->format == FORMAT_PERFETTO ||
                               x->format == FORMAT_CHROME;
  seg->early_at = x->early_count;
  for (uint32_t i = seg->from; i < seg->to; i++) {
    struct fr_cursor cur;
    struct fr_event ev;
    uint32_t thread = chunks[i]->hdr.thread_index;
    fr_cursor_init(chunks[i], &cur);
    while (fr_chunk_next(chunks[i], &cur, &ev) == 1) {
      uint32_t kind;
      int dir = classify(&ev, &kind);
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_RESUMED) {
        uint32_t keep = resumed_depth(open, depth, (uint32_t)ev.arg, &open_counts);
        while (depth > keep) {
          depth--;
          fr_open_add(&open_counts, name_iid(open[depth].kind, open[depth].site),
                      -1);
        }
        continue;
      }
      if (dir > 0) {
        if (depth < open_cap ||
            !fr_grow((void **)&open, &open_cap, depth + 1, sizeof(*open)))
        {
          open[depth++] = (struct item){kind, ev.id, 0, 0, 0};
          fr_open_add(&open_counts, name_iid(kind, ev.id), 1);
        }
      } else if (dir < 0) {
        int at = find_open(open, depth, kind, ev.id, &open_counts);
        if (at >= 0) {
          while (depth > (uint32_t)at) {
            depth--;
            fr_open_add(&open_counts, name_iid(open[depth].kind, open[depth].site),
                        -1);
          }
        } else if (depth == 0 &&
                   !fr_grow((void **)&x->early, &x->early_cap,
                            x->early_count + 1, sizeof(*x->early))) {
          // Ended without a beginning, with nothing of ours open: it was
          // open (around everything so far) when the window began.
          x->early[x->early_count++] = (struct item){kind, ev.id, 0, 0, 0};
        }
      }
      if (!contended || !dir || (kind != ITEM_WAIT) || !ev.nfields)
        continue;
      uint64_t lock = ev.field[0];
      if (dir > 0) {
        waiting = 1, wait_lock = lock, wait_ns = to_ns(x->s, ev.ticks);
      } else if (waiting && wait_lock == lock) {
        waiting = 0;
        note_contended(x, lock, wait_ns, to_ns(x->s, ev.ticks), thread);
      }
    }
    fr_snapshot_release(x->s, chunks[i]->events, chunks[i]->hdr.event_bytes);
  }
  free(open);
  fr_map_free(&open_counts);
  // Collected innermost first; they are opened outermost first.
  seg->early_count = x->early_count - seg->early_at;
  struct item *e = seg->early_count ? x->early + seg->early_at : NULL;
  for (uint32_t i = 0; i < seg->early_count / 2; i++) {
    struct item t = e[i];
    e[i] = e[seg->early_count - 1 - i];
    e[seg->early_count - 1 - i] = t;
  }
}

// last: the thread's newest segment, whose open slices (a thread blocked in
// a call when the snapshot was taken) last until the snapshot, unless the
// thread exited.
static void replay_segment(struct exporter *x,
                           const struct fr_chunk_view *const *chunks,
                           const struct segment *seg, int last) {
  const struct item *early = seg->early_count ? x->early + seg->early_at : NULL;
  uint64_t last_ns = 0;
  int started = 0, exited = 0;
  char errname[24];
  for (uint32_t i = seg->from; i < seg->to; i++) {
    struct fr_cursor cur;
    struct fr_event ev;
    fr_cursor_init(chunks[i], &cur);
    int more;
    while ((more = fr_chunk_next(chunks[i], &cur, &ev)) == 1) {
      x->unknown_events += ev.unknown;
      uint64_t ts = to_ns(x->s, ev.ticks);
      if (!started) {
        started = 1;
        for (uint32_t k = 0; k < seg->early_count; k++) {
          uint32_t depth = x->depth;
          emit_begin(x, ts, early[k].kind, early[k].site, NULL, 0, 0);
          if (x->depth > depth)
            x->stack[depth].incomplete = 1; // began before the window
        }
      }
      last_ns = ts;
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_THREAD_EXIT)
        exited = 1;
      if (ev.event_class == FR_EV_EXT &&
          (ev.id == FR_EXT_MUTED || ev.id == FR_EXT_REARMED) &&
          (x->format == FORMAT_PERFETTO || x->format == FORMAT_CHROME)) {
        // The budget muted a site here (what follows lacks its events until
        // it is re-armed), or re-armed it.
        int muted = ev.id == FR_EXT_MUTED;
        enum item_kind kind = muted ? ITEM_MUTED : ITEM_REARMED;
        const char *arg = muted ? "events_per_second" : "muted_ms";
        if (x->format == FORMAT_PERFETTO)
          pb_event(x, ts, 3, kind, (uint32_t)ev.arg, arg, (int64_t)ev.field[0],
                   0, NULL, NULL);
        else
          chrome_event(x, ts, 'i', kind, (uint32_t)ev.arg, arg,
                       (int64_t)ev.field[0], 0, NULL, NULL);
        continue;
      }
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_RESUMED) {
        // Frames an unwinder or a longjmp left without an exit end here.
        uint32_t keep = resumed_depth(x->stack, x->depth, (uint32_t)ev.arg,
                                      &x->open_items);
        while (x->depth > keep)
          emit_end(x, ts, NULL, 0, NULL, NULL);
        continue;
      }
      const struct fr_site_info *si =
          ev.event_class == FR_EV_SITE ? fr_snapshot_site(x->s, ev.id) : NULL;
      uint32_t kind;
      int dir = classify(&ev, &kind);
      if (dir > 0) {
        // An argument is shown only when the event carries it.
        if (kind != ITEM_FUNCTION && !ev.nfields) {
          emit_begin(x, ts, kind, ev.id, NULL, 0, 0);
        } else if (kind == ITEM_CALL) {
          const char *arg = si ? fr_blocking_arg_name(si->detail) : NULL;
          // An address or a pthread_t in hex, as dump shows them.
          emit_begin(x, ts, kind, ev.id, arg, fr_unzigzag(ev.field[0]),
                     si && ((si->detail & 0xff) == FR_ARG_ADDR ||
                            (si->detail & 0xff) == FR_ARG_THREAD));
        } else if (kind == ITEM_REGION) {
          emit_begin(x, ts, kind, ev.id, "task", (int64_t)ev.field[0], 0);
        } else if (kind != ITEM_FUNCTION) {
          emit_begin(x, ts, kind, ev.id, kind == ITEM_COND ? "cond" : "lock",
                     (int64_t)ev.field[0], 1);
        } else {
          emit_begin(x, ts, kind, ev.id, NULL, 0, 0);
        }
      } else if (dir < 0) {
        int at = find_open(x->stack, x->depth, kind, ev.id, &x->open_items);
        if (at < 0)
          continue; // begun before a gap: nothing to close
        // Frames above it left without an end (longjmp): they end here.
        while (x->depth > (uint32_t)at + 1)
          emit_end(x, ts, NULL, 0, NULL, NULL);
        if (kind == ITEM_CALL && ev.nfields >= 2)
          emit_end(x, ts, "result", fr_unzigzag(ev.field[0]), "errno",
                   fr_errno_name(fr_unzigzag(ev.field[1]), errname));
        else if (kind == ITEM_CALL && ev.nfields)
          emit_end(x, ts, "result", fr_unzigzag(ev.field[0]), NULL, NULL);
        else if (kind != ITEM_FUNCTION && ev.nfields >= 2 && ev.field[1])
          emit_end(x, ts, NULL, 0, "error",
                   fr_errno_name(fr_unzigzag(ev.field[1]), errname));
        else
          emit_end(x, ts, NULL, 0, NULL, NULL);
        if (kind == ITEM_WAIT && (x->flow_in = handoff_flow(x, 0, ts, ev.field[0]))) {
          emit_instant(x, ts, ev.id, "acquired", ev.field[0]);
          x->flow_in = 0;
        }
      } else if (ev.event_class == FR_EV_SITE &&
                 (ev.site_event == FR_SEV_TASK_BEGIN ||
                  ev.site_event == FR_SEV_TASK_END ||
                  ev.site_event == FR_SEV_LOG)) {
        emit_user_mark(x, ts, &ev);
      } else if (ev.event_class == FR_EV_SITE &&
                 (ev.site_event == FR_SEV_ACQUIRE ||
                  ev.site_event == FR_SEV_RELEASE ||
                  ev.site_event == FR_SEV_SIGNAL) &&
                 ev.nfields) {
        // (A site event of a kind this frtool does not know is left out.)
        const char *what = ev.site_event == FR_SEV_ACQUIRE   ? "acquire"
                           : ev.site_event == FR_SEV_RELEASE ? "release"
                                                             : "signal";
        if (ev.site_event == FR_SEV_RELEASE)
          x->flow_out = handoff_flow(x, 1, ts, ev.field[0]);
        emit_instant(x, ts, ev.id, what, ev.field[0]);
        x->flow_out = 0;
      }
    }
    x->malformed_chunks += more < 0; // what follows it is unknown
    fr_snapshot_release(x->s, chunks[i]->events, chunks[i]->hdr.event_bytes);
  }
  uint64_t end_ns = last_ns;
  if (last && !exited && started) {
    uint64_t snapshot_ns = to_ns(x->s, x->s->hdr.snapshot_ticks);
    if (snapshot_ns > end_ns)
      end_ns = snapshot_ns;
  }
  while (x->depth) { // still open where the thread's events end
    x->stack[x->depth - 1].incomplete = 1;
    emit_end(x, end_ns, NULL, 0, NULL, NULL);
  }
}

// ---- Counters ----------------------------------------------------------------

struct step {
  uint64_t ns;
  int delta;
};

static int step_order(const void *a, const void *b) {
  const struct step *x = a, *y = b;
  if (x->ns != y->ns)
    return x->ns < y->ns ? -1 : 1;
  return x->delta - y->delta; // leave before enter at the same instant
}

// A process counter track: how many threads were waiting for a lock, from
// the contended waits find_handoffs collected.
static void write_wait_counter(struct exporter *x) {
  static const char *const name = "threads waiting for a lock";
  uint32_t n = x->handoff_count * 2;
  struct step *steps = malloc((n + 1) * sizeof(*steps));
  if (!steps || !n) {
    free(steps);
    return;
  }
  for (uint32_t i = 0; i < x->handoff_count; i++) {
    steps[2 * i] = (struct step){x->handoffs[i].wait_ns, 1};
    steps[2 * i + 1] = (struct step){x->handoffs[i].acquired_ns, -1};
  }
  fr_sort(steps, n, sizeof(*steps), step_order);
  uint64_t uuid = x->process_uuid + 1;
  if (x->format == FORMAT_PERFETTO) {
    uint8_t buf[256];
    struct pb b = {buf, buf + sizeof(buf)};
    pb_uint(&b, 10, PB_PROCESS_SEQUENCE);
    PB_NESTED(&b, 60, td, {
      pb_uint(&td, 1, uuid);
      pb_string(&td, 2, name);
      pb_uint(&td, 5, x->process_uuid);
      pb_bytes(&td, 8, NULL, 0); // counter: an empty CounterDescriptor
    });
    pb_packet(x, &b, buf);
  }
  int level = 0;
  for (uint32_t i = 0; i < n; i++) {
    level += steps[i].delta;
    if (i + 1 < n && steps[i + 1].ns == steps[i].ns)
      continue; // one value per instant
    if (x->format == FORMAT_PERFETTO) {
      uint8_t buf[64];
      struct pb b = {buf, buf + sizeof(buf)};
      pb_uint(&b, 8, steps[i].ns);
      pb_uint(&b, 58, PB_CLOCK_MONOTONIC); // timestamp_clock_id: absolute
      pb_uint(&b, 10, PB_PROCESS_SEQUENCE);
      PB_NESTED(&b, 11, ev, {
        pb_uint(&ev, 9, 4); // TYPE_COUNTER
        pb_uint(&ev, 11, uuid);
        pb_uint(&ev, 30, (uint64_t)level);
      });
      pb_packet(x, &b, buf);
    } else {
      fr_sink_printf(x->sink,
              ",\n{\"ph\":\"C\",\"pid\":%u,\"ts\":%.3f,\"name\":\"%s\","
              "\"args\":{\"waiting\":%d}}",
              x->s->hdr.pid, (double)steps[i].ns / 1e3, name, level);
    }
  }
  free(steps);
}

static int export_snapshot(struct exporter *x) {
  const struct fr_snapshot *s = x->s;
  const struct fr_chunk_view **order = fr_snapshot_chunks_in_order(s);
  struct segment *segments = NULL;
  uint32_t segment_count = 0, segment_cap = 0;
  if (!order)
    return -1;
  x->start_ns = UINT64_MAX;
  for (uint32_t i = 0; i < s->chunk_count; i++) {
    uint64_t base = to_ns(s, order[i]->hdr.base_ticks);
    if (base < x->start_ns)
      x->start_ns = base;
  }
  if (x->start_ns == UINT64_MAX)
    x->start_ns = 0;
  // Segments: runs of a thread's consecutive chunks; a missing one breaks
  // the history. The first pass reads each once.
  for (uint32_t i = 0; i < s->chunk_count;) {
    uint32_t to = i + 1;
    while (to < s->chunk_count &&
           order[to]->hdr.thread_index == order[i]->hdr.thread_index &&
           order[to]->hdr.seq == order[to - 1]->hdr.seq + 1)
      to++;
    if (fr_grow((void **)&segments, &segment_cap, segment_count + 1,
                sizeof(*segments))) {
      free(order);
      return -1;
    }
    segments[segment_count] = (struct segment){i, to, 0, 0};
    scan_segment(x, order, &segments[segment_count++]);
    i = to;
  }
  if (x->format == FORMAT_PERFETTO || x->format == FORMAT_CHROME)
    find_handoffs(x, order, s->chunk_count);
  if (x->format == FORMAT_PERFETTO)
    pb_header(x);
  else if (x->format == FORMAT_CHROME)
    fr_sink_printf(x->sink, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
  else if (x->format == FORMAT_HTML)
    report_begin(x);
  for (uint32_t k = 0; k < segment_count;) {
    uint32_t thread = order[segments[k].from]->hdr.thread_index, end = k;
    while (end < segment_count &&
           order[segments[end].from]->hdr.thread_index == thread)
      end++;
    const struct fr_chunk_header *newest = &order[segments[end - 1].to - 1]->hdr;
    x->thread_index = thread;
    x->tid = newest->tid;
    memcpy(x->thread_name, newest->thread_name, sizeof(x->thread_name));
    if (x->format == FORMAT_PERFETTO) {
      pb_thread(x, to_ns(s, order[segments[k].from]->hdr.base_ticks));
    } else if (x->format == FORMAT_CHROME) {
      fr_sink_printf(x->sink,
                     "%s\n{\"ph\":\"M\",\"pid\":%u,\"tid\":%u,"
                     "\"name\":\"thread_name\",\"args\":{\"name\":",
                     x->first_event++ ? "," : "", s->hdr.pid, x->tid);
      chrome_string(x, x->thread_name);
      fr_sink_printf(x->sink, "}}");
    }
    for (; k < end; k++)
      replay_segment(x, order, &segments[k], k + 1 == end);
    if (x->format == FORMAT_HTML)
      report_thread(x);
  }
  if (x->format == FORMAT_PERFETTO || x->format == FORMAT_CHROME)
    write_wait_counter(x);
  int failed = 0;
  if (x->format == FORMAT_CHROME) {
    fr_sink_printf(x->sink, "\n],\"otherData\":{\"program\":");
    chrome_string(x, s->hdr.program);
    fr_sink_printf(x->sink, ",\"pid\":%u}}\n", s->hdr.pid);
  } else if (x->format == FORMAT_FOLDED) {
    folded_write(x);
  } else if (x->format == FORMAT_HTML && report_end(x) != 0) {
    failed = 1;
  }
  free(order);
  free(segments);
  return failed ? -1 : 0;
}

static int run(int argc, char **argv) {
  const char *path = NULL, *out_path = NULL;
  enum format format = FORMAT_PERFETTO;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strncmp(a, "--format=", 9)) {
      if (!strcmp(a + 9, "perfetto"))
        format = FORMAT_PERFETTO;
      else if (!strcmp(a + 9, "chrome") || !strcmp(a + 9, "json"))
        format = FORMAT_CHROME;
      else if (!strcmp(a + 9, "folded"))
        format = FORMAT_FOLDED;
      else if (!strcmp(a + 9, "html"))
        format = FORMAT_HTML;
      else
        return frtool_usage_error(&frtool_export,
                                  "--format wants perfetto, chrome, folded or html");
    } else if (!strcmp(a, "-o") && i + 1 < argc) {
      out_path = argv[++i];
    } else if (!strncmp(a, "--output=", 9)) {
      out_path = a + 9;
    } else if (a[0] == '-' && a[1]) {
      return frtool_usage_error(&frtool_export, "unknown option");
    } else if (path) {
      return frtool_usage_error(&frtool_export, "one snapshot at a time");
    } else {
      path = a;
    }
  }
  if (!path)
    return frtool_usage_error(&frtool_export, "no snapshot given");
  // What the messages call this command: frtool report is export's HTML.
  const char *verb = format == FORMAT_HTML ? "report" : "export";

  struct fr_snapshot s;
  enum fr_open_result r = fr_snapshot_open_ex(path, &s, 0);
  if (r == FR_OPEN_FAILED) {
    fprintf(stderr, "frtool %s: %s: %s\n", verb, path, s.error);
    fr_snapshot_close(&s);
    return FRTOOL_BAD_INPUT;
  }
  frtool_print_notes(&frtool_export, path, &s);
  char default_out[4096];
  if (!out_path) {
    static const char *const ext[] = {".pftrace", ".json", ".folded", ".html"};
    snprintf(default_out, sizeof(default_out), "%s%s", path, ext[format]);
    out_path = default_out;
  }
  // Opening the output truncates it: never when it is the snapshot itself
  // (by another name, a link, /dev/fd/N...), which is being read.
  struct stat in_st, out_st;
  if (strcmp(out_path, "-") && stat(path, &in_st) == 0 &&
      stat(out_path, &out_st) == 0 && in_st.st_dev == out_st.st_dev &&
      in_st.st_ino == out_st.st_ino) {
    fprintf(stderr, "frtool %s: %s is the snapshot itself: not overwriting it "
                    "(choose another -o)\n",
            verb, out_path);
    fr_snapshot_close(&s);
    return FRTOOL_USAGE;
  }
  FILE *out = strcmp(out_path, "-") ? fopen(out_path, "wb") : stdout;
  if (!out) {
    perror(out_path);
    fr_snapshot_close(&s);
    return FRTOOL_BAD_INPUT;
  }
  static char buffer[1 << 20];
  setvbuf(out, buffer, _IOFBF, sizeof(buffer));
  struct exporter x = {.format = format, .out = out, .s = &s};
  int streamed = format == FORMAT_PERFETTO || format == FORMAT_CHROME;
  if (streamed)
    x.sink = fr_sink_open(out);
  int failed = (streamed && !x.sink) || export_snapshot(&x) != 0;
  if (x.sink)
    failed |= fr_sink_close(x.sink) != 0;
  failed |= fflush(out) != 0 || ferror(out);
  if (out != stdout)
    failed |= fclose(out) != 0;
  free(x.early);
  free(x.nodes);
  free(x.handoffs);
  fr_map_free(&x.handoff_by_release);
  fr_map_free(&x.handoff_by_acquire);
  free(x.slices);
  for (uint32_t k = 0; k < x.name_count; k++) {
    free(x.names[k].text);
    free(x.names[k].json);
  }
  free(x.names);
  for (uint32_t k = 0; k < x.detail_count; k++)
    free(x.details[k]);
  free(x.details);
  fr_map_free(&x.detail_by_hash);
  free(x.name_direct);
  fr_map_free(&x.name_by_iid);
  free(x.stack);
  fr_map_free(&x.folded);
  fr_map_free(&x.open_items);
  if (x.unknown_events)
    fprintf(stderr, "frtool %s: %s: note: skipped %llu events of kinds "
                    "this frtool does not know (written by a newer fr?)\n",
            verb, path, (unsigned long long)x.unknown_events);
  if (x.packets_left_out)
    fprintf(stderr, "frtool %s: %s: %llu events too large to encode were "
                    "left out\n",
            verb, path, (unsigned long long)x.packets_left_out);
  if (x.slices_merged || x.slices_too_deep)
    fprintf(stderr, "frtool %s: %llu of %llu slices shorter than 1/%d of "
                    "the window are drawn merged with their neighbours; %llu "
                    "deeper than %d frames are drawn as one\n",
            verb, (unsigned long long)x.slices_merged,
            (unsigned long long)x.slice_total, REPORT_RESOLUTION,
            (unsigned long long)x.slices_too_deep, MAX_SHOWN_DEPTH);
  int status = FRTOOL_OK;
  if (failed) {
    fprintf(stderr, "frtool %s: %s: could not write %s\n", verb, path, out_path);
    status = FRTOOL_BAD_INPUT;
  } else if (r == FR_OPEN_DAMAGED) {
    fprintf(stderr, "frtool %s: %s: %s (exported the intact part)\n", verb, path,
            s.error);
    status = FRTOOL_BAD_INPUT;
  } else if (x.malformed_chunks) {
    fprintf(stderr, "frtool %s: %s: %llu chunks with a malformed event "
                    "(exported the events before it)\n",
            verb, path, (unsigned long long)x.malformed_chunks);
    status = FRTOOL_BAD_INPUT;
  }
  if (!failed && out != stdout)
    fprintf(stderr, "frtool %s: wrote %s\n", verb, out_path);
  fr_snapshot_close(&s);
  return status;
}

const struct frtool_command frtool_export = {
    "export", "write a snapshot as a Perfetto trace, Chrome JSON or folded stacks",
    "export [--format=perfetto|chrome|folded|html] [-o OUT|-] FILE", run};

// frtool report FILE: export --format=html, under the name users look for.
static int run_report(int argc, char **argv) {
  char *args[64];
  int n = 0;
  args[n++] = argv[0];
  args[n++] = (char *)"--format=html";
  for (int i = 1; i < argc && n < 63; i++) {
    if (!strncmp(argv[i], "--format", 8))
      return frtool_usage_error(&frtool_report, "report is always HTML");
    args[n++] = argv[i];
  }
  args[n] = NULL;
  return run(n, args);
}

const struct frtool_command frtool_report = {
    "report",
    "one self-contained HTML page: timeline per thread, tables, flame graph",
    "report [-o OUT.html] FILE", run_report};
