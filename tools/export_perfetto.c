// SPDX-License-Identifier: Apache-2.0
// export_perfetto.c: frtool export's default format: Perfetto's protobuf
// trace (TracePacket / TrackEvent), one track per thread under one process
// track, interned event names, slice begin/end for function calls, lock
// waits, condition waits and blocking calls (with the fd, object, result
// and errno as debug annotations), instants for uncontended acquires,
// releases, signals and the budget's mutes, lock hand-offs as flows, and a
// counter of the threads waiting for a lock. Each thread is a packet
// sequence with an incremental clock (see pb_thread). ui.perfetto.dev opens
// it; tools/proto/perfetto_trace.proto decodes it with protoc. Written
// through fr_sink.
#include "fr_events.h"
#include "fr_export.h"

#include <string.h>

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
  uint64_t iid = export_name_iid(kind, site);
  if (type != 2) {
    const struct name *n = export_name_of(x, kind, site);
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
  uint64_t iid = export_name_iid(kind, site);
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
    struct name *n = export_name_of(x, kind, site);
    int new_name = !pb_name_interned(x, n);
    int new_category = !(x->categories_interned & (1u << kind));
    if (new_name || new_category) {
      const char *text = n ? n->text : "?";
      x->categories_interned |= 1u << kind;
      PB_NESTED(&b, 12, interned, { // interned_data
        if (new_category)
          PB_NESTED(&interned, 1, ec, { // event_categories
            pb_uint(&ec, 1, category_iid);
            pb_string(&ec, 2, export_item_category[kind]);
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

static void perfetto_slice_begin(struct exporter *x, uint64_t ts,
                                 const struct item *it) {
  pb_event(x, ts, 1, it->kind, it->site, it->arg_name, it->arg,
           it->arg_is_pointer, NULL, NULL);
}

static void perfetto_slice_end(struct exporter *x, uint64_t ts,
                               const struct item *it, uint64_t took,
                               const struct export_args *end) {
  (void)took;
  pb_event(x, ts, 2, it->kind, it->site, end->name, end->value,
           end->is_pointer, end->name2, end->text2);
}

static void perfetto_instant(struct exporter *x, uint64_t ts, uint32_t kind,
                             uint32_t site, const struct export_args *a) {
  pb_event(x, ts, 3, kind, site, a->name, a->value, a->is_pointer, a->name2,
           a->text2);
}

// A process counter track, one value per step, on absolute timestamps.
static void perfetto_wait_counter(struct exporter *x, const char *name,
                                  const struct export_step *steps, uint32_t n) {
  uint64_t uuid = x->process_uuid + 1;
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
  for (uint32_t i = 0; i < n; i++) {
    b.p = buf;
    pb_uint(&b, 8, steps[i].ns);
    pb_uint(&b, 58, PB_CLOCK_MONOTONIC); // timestamp_clock_id: absolute
    pb_uint(&b, 10, PB_PROCESS_SEQUENCE);
    PB_NESTED(&b, 11, ev, {
      pb_uint(&ev, 9, 4); // TYPE_COUNTER
      pb_uint(&ev, 11, uuid);
      pb_uint(&ev, 30, (uint64_t)steps[i].level);
    });
    pb_packet(x, &b, buf);
  }
}

const struct export_format export_perfetto = {
    .name = "perfetto",
    .extension = ".pftrace",
    .streamed = 1,
    .handoffs = 1,
    .begin = pb_header,
    .thread_begin = pb_thread,
    .slice_begin = perfetto_slice_begin,
    .slice_end = perfetto_slice_end,
    .instant = perfetto_instant,
    .wait_counter = perfetto_wait_counter,
};
