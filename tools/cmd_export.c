// SPDX-License-Identifier: Apache-2.0
// cmd_export.c: frtool export and frtool report: a snapshot as a trace other
// tools open, or as a page. This file is the replay; each format is a file
// of its own, fed through struct export_format (fr_export.h):
//
//   frtool export [--format=perfetto|chrome|folded|html] [-o OUT] FILE
//
// perfetto (the default, export_perfetto.c), chrome (export_chrome.c),
// folded (export_folded.c), html (report.c; frtool report).
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
#include "fr_export.h"
#include "frtool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const export_item_category[ITEM_KINDS] = {
    "function", "lock",     "lock",     "io",    "lock",
    "user",     "user",     "function", "function", "budget",   "budget",
    "budget"};

// Monotonic nanoseconds, so tracks line up with other traces of the box.
// Fixed point (ns per tick in 32.32), as this runs for every event.
uint64_t export_to_ns(const struct fr_snapshot *s, uint64_t ticks) {
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
  else if (kind == ITEM_MUTED || kind == ITEM_REARMED || kind == ITEM_COUNTED)
    snprintf(buf, size, "%s: %.*s%s",
             kind == ITEM_MUTED     ? "muted"
             : kind == ITEM_REARMED ? "re-armed"
                                    : "counted",
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
uint64_t export_name_iid(uint32_t kind, uint32_t site) {
  _Static_assert(ITEM_KINDS <= 16, "a kind fits the iid's low four bits");
  return (uint64_t)site * 16 + kind + 1;
}

// The name of (kind, site), made when first used; NULL when out of memory.
struct name *export_name_of(struct exporter *x, uint32_t kind, uint32_t site) {
  uint64_t iid = export_name_iid(kind, site);
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

// ---- The replay --------------------------------------------------------------

// One slice begins (kind, site) at ts, with an optional argument.
static void emit_begin(struct exporter *x, uint64_t ts, uint32_t kind,
                       uint32_t site, const char *arg_name, int64_t arg,
                       int is_pointer) {
  if (x->depth == x->stack_cap &&
      fr_grow((void **)&x->stack, &x->stack_cap, x->depth + 1,
              sizeof(*x->stack)))
    return;
  uint32_t node = UINT32_MAX;
  if (x->format->stacks)
    node = export_frame_node(
        x, x->depth ? x->stack[x->depth - 1].node : UINT32_MAX, kind, site);
  x->stack[x->depth++] = (struct item){kind,     site, ts,  0,
                                       node,     arg_name, arg, is_pointer};
  fr_open_add(&x->open_items, export_name_iid(kind, site), 1);
  if (x->format->slice_begin)
    x->format->slice_begin(x, ts, &x->stack[x->depth - 1]);
}

// Ends the top slice at ts.
static void emit_end(struct exporter *x, uint64_t ts, const char *arg_name,
                     int64_t arg, const char *arg2_name, const char *arg2) {
  struct item *it = &x->stack[x->depth - 1];
  uint64_t took = ts > it->start_ns ? ts - it->start_ns : 0;
  if (it->node != UINT32_MAX) { // the frame's share of its stack's self time
    uint64_t self = took > it->child_ns ? took - it->child_ns : 0;
    x->nodes[it->node].self_ns += self;
    if (it->incomplete)
      x->nodes[it->node].incomplete_ns += self;
    x->nodes[it->node].ended = 1;
  }
  if (x->format->slice_end) {
    struct export_args end = {arg_name, arg, 0, arg2_name, arg2};
    x->format->slice_end(x, ts, it, took, &end);
  }
  fr_open_add(&x->open_items, export_name_iid(it->kind, it->site), -1);
  x->depth--;
  if (x->depth)
    x->stack[x->depth - 1].child_ns += took;
}

// An instant of a lock site: what happened to which object.
static void emit_instant(struct exporter *x, uint64_t ts, uint32_t site,
                         const char *what, uint64_t object) {
  struct export_args a = {what, (int64_t)object, 1, NULL, NULL};
  if (x->format->instant)
    x->format->instant(x, ts, ITEM_LOCK_OP, site, &a);
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
      uint64_t ts = export_to_ns(x->s, ev.ticks), lock = ev.field[0];
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
  struct export_args a = {"task", task, 0, what ? "event" : "message",
                          what ? what : text};
  if (x->format->instant)
    x->format->instant(x, ts, ITEM_USER_MARK, ev->id, &a);
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
  if (!fr_open_count(counts, export_name_iid(kind, site)))
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
  uint32_t slow_at, slow_count; // in x->slow, by when they began
};

static int slow_call_order(const void *a, const void *b) {
  const struct slow_call *x = a, *y = b;
  return x->begin_ns < y->begin_ns ? -1 : x->begin_ns > y->begin_ns;
}

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
  int waiting = 0, contended = x->format->handoffs;
  seg->early_at = x->early_count;
  seg->slow_at = x->slow_count;
  for (uint32_t i = seg->from; i < seg->to; i++) {
    struct fr_cursor cur;
    struct fr_event ev;
    uint32_t thread = chunks[i]->hdr.thread_index;
    fr_cursor_init(chunks[i], &cur);
    while (fr_chunk_next(chunks[i], &cur, &ev) == 1) {
      uint32_t kind;
      int dir = classify(&ev, &kind);
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_SLOW_CALL &&
          !fr_grow((void **)&x->slow, &x->slow_cap, x->slow_count + 1,
                   sizeof(*x->slow))) {
        uint64_t began = ev.ticks > ev.field[0] ? ev.ticks - ev.field[0] : 0;
        x->slow[x->slow_count++] =
            (struct slow_call){export_to_ns(x->s, began), (uint32_t)ev.arg};
        continue;
      }
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_RESUMED) {
        uint32_t keep = resumed_depth(open, depth, (uint32_t)ev.arg, &open_counts);
        while (depth > keep) {
          depth--;
          fr_open_add(&open_counts, export_name_iid(open[depth].kind, open[depth].site),
                      -1);
        }
        continue;
      }
      if (dir > 0) {
        if (depth < open_cap ||
            !fr_grow((void **)&open, &open_cap, depth + 1, sizeof(*open)))
        {
          open[depth++] = (struct item){kind, ev.id, 0, 0, 0};
          fr_open_add(&open_counts, export_name_iid(kind, ev.id), 1);
        }
      } else if (dir < 0) {
        int at = find_open(open, depth, kind, ev.id, &open_counts);
        if (at >= 0) {
          while (depth > (uint32_t)at) {
            depth--;
            fr_open_add(&open_counts, export_name_iid(open[depth].kind, open[depth].site),
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
        waiting = 1, wait_lock = lock, wait_ns = export_to_ns(x->s, ev.ticks);
      } else if (waiting && wait_lock == lock) {
        waiting = 0;
        note_contended(x, lock, wait_ns, export_to_ns(x->s, ev.ticks), thread);
      }
    }
    fr_snapshot_release(x->s, chunks[i]->events, chunks[i]->hdr.event_bytes);
  }
  free(open);
  fr_map_free(&open_counts);
  seg->slow_count = x->slow_count - seg->slow_at;
  if (seg->slow_count) // nested ones end innermost first
    fr_sort(x->slow + seg->slow_at, seg->slow_count, sizeof(*x->slow),
            slow_call_order);
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
  const struct slow_call *slow = seg->slow_count ? x->slow + seg->slow_at : NULL;
  uint32_t slow_begun = 0;
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
      uint64_t ts = export_to_ns(x->s, ev.ticks);
      if (!started) {
        started = 1;
        for (uint32_t k = 0; k < seg->early_count; k++) {
          uint32_t depth = x->depth;
          emit_begin(x, ts, early[k].kind, early[k].site, NULL, 0, 0);
          if (x->depth > depth)
            x->stack[depth].incomplete = 1; // began before the window
        }
      }
      // A slow call of a counted site began after the thread's event
      // before it (its writer made sure) and before this one, or with it
      // when this is its end (a call of no length: only a damaged file).
      int slow_end = ev.event_class == FR_EV_EXT && ev.id == FR_EXT_SLOW_CALL;
      while (slow_begun < seg->slow_count &&
             (slow[slow_begun].begin_ns < ts ||
              (slow_end && slow[slow_begun].begin_ns == ts))) {
        emit_begin(x, slow[slow_begun].begin_ns, ITEM_FUNCTION,
                   slow[slow_begun].site, NULL, 0, 0);
        slow_begun++;
      }
      last_ns = ts;
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_THREAD_EXIT)
        exited = 1;
      if (slow_end) {
        int at = find_open(x->stack, x->depth, ITEM_FUNCTION, (uint32_t)ev.arg,
                           &x->open_items);
        if (at >= 0) {
          while (x->depth > (uint32_t)at)
            emit_end(x, ts, NULL, 0, NULL, NULL);
        }
        continue;
      }
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_COUNTED) {
        struct export_args a = {"calls", (int64_t)ev.field[0], 0, NULL, NULL};
        if (x->format->instant)
          x->format->instant(x, ts, ITEM_COUNTED, (uint32_t)ev.arg, &a);
        continue;
      }
      if (ev.event_class == FR_EV_EXT &&
          (ev.id == FR_EXT_MUTED || ev.id == FR_EXT_REARMED)) {
        // The budget muted a site here (what follows lacks its events until
        // it is re-armed), or re-armed it.
        int muted = ev.id == FR_EXT_MUTED;
        struct export_args a = {muted ? "events_per_second" : "muted_ms",
                                (int64_t)ev.field[0], 0, NULL, NULL};
        if (x->format->instant)
          x->format->instant(x, ts, muted ? ITEM_MUTED : ITEM_REARMED,
                             (uint32_t)ev.arg, &a);
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
    uint64_t snapshot_ns = export_to_ns(x->s, x->s->hdr.snapshot_ticks);
    if (snapshot_ns > end_ns)
      end_ns = snapshot_ns;
  }
  while (x->depth) { // still open where the thread's events end
    x->stack[x->depth - 1].incomplete = 1;
    emit_end(x, end_ns, NULL, 0, NULL, NULL);
  }
}

// ---- Counters ----------------------------------------------------------------

static int step_order(const void *a, const void *b) {
  const struct export_step *x = a, *y = b;
  if (x->ns != y->ns)
    return x->ns < y->ns ? -1 : 1;
  return x->delta - y->delta; // leave before enter at the same instant
}

// A process counter track: how many threads were waiting for a lock, from
// the contended waits find_handoffs collected; one value per instant.
static void write_wait_counter(struct exporter *x) {
  uint32_t n = x->handoff_count * 2;
  struct export_step *steps = malloc((n + 1) * sizeof(*steps));
  if (!steps || !n) {
    free(steps);
    return;
  }
  for (uint32_t i = 0; i < x->handoff_count; i++) {
    steps[2 * i] = (struct export_step){x->handoffs[i].wait_ns, 1, 0};
    steps[2 * i + 1] = (struct export_step){x->handoffs[i].acquired_ns, -1, 0};
  }
  fr_sort(steps, n, sizeof(*steps), step_order);
  int level = 0;
  uint32_t kept = 0;
  for (uint32_t i = 0; i < n; i++) {
    level += steps[i].delta;
    if (i + 1 < n && steps[i + 1].ns == steps[i].ns)
      continue;
    steps[kept] = steps[i];
    steps[kept++].level = level;
  }
  x->format->wait_counter(x, "threads waiting for a lock", steps, kept);
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
    uint64_t base = export_to_ns(s, order[i]->hdr.base_ticks);
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
  if (x->format->handoffs)
    find_handoffs(x, order, s->chunk_count);
  if (x->format->begin)
    x->format->begin(x);
  for (uint32_t k = 0; k < segment_count;) {
    uint32_t thread = order[segments[k].from]->hdr.thread_index, end = k;
    while (end < segment_count &&
           order[segments[end].from]->hdr.thread_index == thread)
      end++;
    const struct fr_chunk_header *newest = &order[segments[end - 1].to - 1]->hdr;
    x->thread_index = thread;
    x->tid = newest->tid;
    memcpy(x->thread_name, newest->thread_name, sizeof(x->thread_name));
    if (x->format->thread_begin)
      x->format->thread_begin(
          x, export_to_ns(s, order[segments[k].from]->hdr.base_ticks));
    for (; k < end; k++)
      replay_segment(x, order, &segments[k], k + 1 == end);
    if (x->format->thread_end)
      x->format->thread_end(x);
  }
  if (x->format->handoffs && x->format->wait_counter)
    write_wait_counter(x);
  int failed = x->format->end && x->format->end(x) != 0;
  free(order);
  free(segments);
  return failed ? -1 : 0;
}

static int run(int argc, char **argv) {
  const char *path = NULL, *out_path = NULL;
  static const struct export_format *const formats[] = {
      &export_perfetto, &export_chrome, &export_folded, &export_report};
  const struct export_format *format = &export_perfetto;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strncmp(a, "--format=", 9)) {
      const char *want = !strcmp(a + 9, "json") ? "chrome" : a + 9;
      format = NULL;
      for (size_t k = 0; k < sizeof(formats) / sizeof(*formats); k++)
        if (!strcmp(want, formats[k]->name))
          format = formats[k];
      if (!format)
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
  const char *verb = format == &export_report ? "report" : "export";

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
    snprintf(default_out, sizeof(default_out), "%s%s", path, format->extension);
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
  if (format->streamed)
    x.sink = fr_sink_open(out);
  int failed = (format->streamed && !x.sink) || export_snapshot(&x) != 0;
  if (x.sink)
    failed |= fr_sink_close(x.sink) != 0;
  failed |= fflush(out) != 0 || ferror(out);
  if (out != stdout)
    failed |= fclose(out) != 0;
  free(x.early);
  free(x.slow);
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
