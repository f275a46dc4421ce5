// SPDX-License-Identifier: Apache-2.0
// fr_codec.h: the event encoding of include/fr_format.h, written once: the
// runtime's writers, the runtime's overhead budget (which counts a chunk's
// events) and frtool's reader all use these functions, so an event means the
// same thing to all of them.
//
// Everything is static inline and allocation-free: the encoders run on the
// runtime's hot path, the decoder on every event a command reads. The
// decoder trusts nothing: every byte it reads is checked against the end of
// the buffer, and what a field count or a length claims is bounded before
// it is used.
#ifndef FR_CODEC_H
#define FR_CODEC_H

#include "fr_format.h"

#include <stdint.h>

// ---- Encoding ----------------------------------------------------------------

static inline uint64_t fr_zigzag(int64_t v) {
  return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t fr_unzigzag(uint64_t v) {
  return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

// LEB128; at most 10 bytes.
static inline uint8_t *fr_put_varint(uint8_t *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

// An event's tag: its class and its site (or extended kind).
static inline uint32_t fr_event_tag(uint32_t id, enum fr_event_class c) {
  return id << 2 | (uint32_t)c;
}

// An event's first bytes: tag and tick delta. Most events of a tight loop
// are two bytes.
static inline uint8_t *fr_put_event(uint8_t *p, uint32_t tag, uint64_t dt) {
  if (__builtin_expect((tag | dt) < 0x80, 1)) {
    p[0] = (uint8_t)tag;
    p[1] = (uint8_t)dt;
    return p + 2;
  }
  p = fr_put_varint(p, tag);
  return fr_put_varint(p, dt);
}

// An FR_EV_SITE event's payload header: always one byte.
static inline uint8_t fr_site_event_header(enum fr_site_event kind,
                                           unsigned nfields) {
  return (uint8_t)(kind | nfields << 4);
}

// Whether a site event's first field is a lock object, written as a zigzag
// delta from the previous lock object of the chunk.
static inline int fr_site_event_has_object(uint32_t kind) {
  return kind >= FR_SEV_ACQUIRE && kind <= FR_SEV_SIGNAL;
}

// ---- Decoding ----------------------------------------------------------------

// One decoded event.
struct fr_event {
  uint64_t ticks;
  uint32_t event_class; // enum fr_event_class
  uint32_t id;          // site id, or fr_ext_kind for FR_EV_EXT
  uint64_t arg;         // FR_EXT_LOST, FR_EXT_DROPPED: count (DROPPED:
                        // field[0] by reentrancy, field[1] for want of
                        // space); FR_EXT_MUTED: site (and field[0] its
                        // events per second); FR_EXT_RESUMED: site (and
                        // field[0] the fr_resume_cause); FR_EXT_REARMED:
                        // site (and field[0] how long it was muted, ms);
                        // FR_EXT_COUNTED: site (and field[0] its calls);
                        // FR_EXT_SLOW_CALL: site (and field[0] the call's
                        // ticks, ending at this event)
  // FR_EV_SITE: what happened (enum fr_site_event) and its fields as
  // written (see fr_format.h for which are zigzag-encoded). Fields past
  // nfields read as 0: an event with fewer fields than its kind has never
  // shows an earlier event's values.
  uint32_t site_event;
  uint32_t nfields;
  uint64_t field[FR_SEV_MAX_FIELDS];
  // FR_SEV_LOG: the message, inside the chunk (not NUL-terminated), at
  // most FR_LOG_MAX_BYTES.
  const char *text;
  uint32_t text_len;
  // An extended event of a kind this decoder does not know, whose payload
  // said its own size (fr_ext_is_sized) and was skipped.
  uint32_t unknown;
};

// Where decoding of a chunk stands: events are deltas (of time, and of lock
// objects) from the previous one in the chunk.
struct fr_cursor {
  uint32_t offset;
  uint64_t ticks;
  uint64_t last_object;
};

static inline void fr_cursor_start(struct fr_cursor *cur, uint64_t base_ticks) {
  cur->offset = 0;
  cur->ticks = base_ticks;
  cur->last_object = 0;
}

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

// Decodes the event at the cursor in events[0, end). Returns 1 and advances,
// 0 at the end, -1 on a malformed event (and the cursor is left at it).
// Lock events' object field comes out as the address. Always inlined: a call
// per event costs frtool export a fifth of its time.
static inline __attribute__((always_inline)) int
fr_decode_next(const uint8_t *events, uint32_t end, struct fr_cursor *cur,
               struct fr_event *ev) {
  if (cur->offset >= end)
    return 0;
  uint32_t off = cur->offset;
  uint64_t tag, dt;
  if (fr_get_varint(events, end, &off, &tag) ||
      fr_get_varint(events, end, &off, &dt) || tag >> 32)
    return -1;
  ev->event_class = (uint32_t)(tag & 3);
  ev->id = (uint32_t)(tag >> 2);
  ev->arg = 0;
  ev->site_event = 0;
  ev->nfields = 0;
  ev->field[0] = ev->field[1] = ev->field[2] = 0;
  ev->text = 0;
  ev->text_len = 0;
  ev->unknown = 0;
  if (ev->event_class == FR_EV_SITE) {
    // Self-describing: an event kind this reader does not know is kept
    // (and shown as such), its fields read by count.
    uint64_t header;
    if (fr_get_varint(events, end, &off, &header) || header >> 8 ||
        (header >> 4) > FR_SEV_MAX_FIELDS)
      return -1;
    ev->site_event = (uint32_t)(header & 15);
    ev->nfields = (uint32_t)(header >> 4);
    for (uint32_t k = 0; k < ev->nfields; k++)
      if (fr_get_varint(events, end, &off, &ev->field[k]))
        return -1;
    if (ev->site_event == FR_SEV_LOG) { // the text follows the fields
      if (ev->nfields < 2 || ev->field[1] > FR_LOG_MAX_BYTES ||
          ev->field[1] > end - off)
        return -1;
      ev->text = (const char *)events + off;
      ev->text_len = (uint32_t)ev->field[1];
      off += ev->text_len;
    }
    if (fr_site_event_has_object(ev->site_event) && ev->nfields) {
      cur->last_object += (uint64_t)fr_unzigzag(ev->field[0]);
      ev->field[0] = cur->last_object;
    }
  } else if (ev->event_class == FR_EV_EXT) {
    switch (ev->id) {
    case FR_EXT_THREAD_START:
    case FR_EXT_THREAD_EXIT:
      break;
    case FR_EXT_LOST:
      if (fr_get_varint(events, end, &off, &ev->arg))
        return -1;
      break;
    case FR_EXT_DROPPED:
      if (fr_get_varint(events, end, &off, &ev->field[0]) ||
          fr_get_varint(events, end, &off, &ev->field[1]))
        return -1;
      ev->nfields = 2;
      ev->arg = ev->field[0] + ev->field[1];
      if (ev->arg < ev->field[0]) // a sum that wraps is no count
        return -1;
      break;
    case FR_EXT_MUTED: // the site, then its events per second
      if (fr_get_varint(events, end, &off, &ev->arg) ||
          fr_get_varint(events, end, &off, &ev->field[0]))
        return -1;
      ev->nfields = 1;
      break;
    case FR_EXT_RESUMED:   // size, then the site and the cause
    case FR_EXT_REARMED:   // size, then the site and how long it was muted
    case FR_EXT_COUNTED:   // size, then the site and its calls
    case FR_EXT_SLOW_CALL: { // size, then the site and the call's ticks
      uint64_t size;
      uint32_t payload_end;
      if (fr_get_varint(events, end, &off, &size) || size > end - off)
        return -1;
      payload_end = off + (uint32_t)size;
      if (fr_get_varint(events, payload_end, &off, &ev->arg) ||
          fr_get_varint(events, payload_end, &off, &ev->field[0]) ||
          ev->arg >> 32)
        return -1;
      ev->nfields = 1;
      off = payload_end; // fields a newer writer added after these
      break;
    }
    default: {
      // A newer writer's event: skipped by its size if it says it.
      uint64_t size;
      if (!fr_ext_is_sized(ev->id) ||
          fr_get_varint(events, end, &off, &size) || size > end - off)
        return -1;
      off += (uint32_t)size;
      ev->unknown = 1;
    }
    }
  }
  cur->ticks += dt;
  ev->ticks = cur->ticks;
  cur->offset = off;
  return 1;
}

#endif // FR_CODEC_H
