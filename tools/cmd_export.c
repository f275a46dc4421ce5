// SPDX-License-Identifier: Apache-2.0
// cmd_export.c: frtool export and frtool report: a snapshot as a trace other
// tools open, or as a page. Each format is a file of its own, fed through
// struct export_format (fr_export.h) by the one replay (fr_replay.c), which
// pairs the events into slices the same way for every frtool view:
//
//   frtool export [--format=perfetto|chrome|folded|html] [-o OUT] FILE
//
// perfetto (the default, export_perfetto.c), chrome (export_chrome.c),
// folded (export_folded.c), html (report.c; frtool report).
//
// Streaming: the replay reads each run of a thread's chunks twice (its
// pre-scan also collects the contended acquisitions here); when there are
// any, a pass over the releases matches each to the release that let it
// through (find_handoffs). The last pass writes, Perfetto and Chrome
// through fr_sink, whose thread writes one buffer while the next is filled.
// Memory is bounded by the call depth, the number of threads, sites and
// contended acquisitions, and, for folded stacks, the number of distinct
// stacks: not by the size of the snapshot. The report feeds summary's
// analysis from the same replay, for its tables.
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
              sizeof(*x->stack))) {
    x->failed = 1;
    return;
  }
  uint32_t node = UINT32_MAX;
  if (x->format->stacks)
    node = export_frame_node(
        x, x->depth ? x->stack[x->depth - 1].node : UINT32_MAX, kind, site);
  uint32_t owner = UINT32_MAX;
  if (x->depth)
    owner = x->stack[x->depth - 1].kind == ITEM_FUNCTION
                ? x->depth - 1
                : x->stack[x->depth - 1].owner;
  x->stack[x->depth++] = (struct item){.kind = kind,
                                       .site = site,
                                       .start_ns = ts,
                                       .node = node,
                                       .arg_name = arg_name,
                                       .arg = arg,
                                       .arg_is_pointer = is_pointer,
                                       .owner = owner};
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
    struct stack_node *n = &x->nodes[it->node];
    n->self_ns += self;
    if (it->incomplete)
      n->incomplete_ns += self;
    if (it->kind == ITEM_FUNCTION) {
      n->self_elsewhere_ns += it->self_elsewhere_ns;
      if (it->incomplete)
        n->self_elsewhere_incomplete_ns += it->self_elsewhere_ns;
      // Not timed by summary: all of it is its caller's own time there (a
      // call not whole in the window has a caller not whole either, unless
      // its exit was muted).
      if (it->incomplete && it->owner != UINT32_MAX)
        x->stack[it->owner].self_elsewhere_ns += took;
    } else if (it->owner != UINT32_MAX) {
      x->stack[it->owner].self_elsewhere_ns += self;
    }
    n->ended = 1;
  }
  if (x->format->slice_end) {
    struct export_args end = {arg_name, arg, 0, arg2_name, arg2};
    x->format->slice_end(x, ts, it, took, &end);
  }
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
static void find_handoffs(struct exporter *x) {
  if (!x->handoff_count)
    return;
  const struct fr_chunk_view *chunks = x->s->chunks;
  uint32_t n = x->s->chunk_count;
  fr_sort(x->handoffs, x->handoff_count, sizeof(*x->handoffs), handoff_order);
  for (uint32_t i = 0; i < n; i++) {
    struct fr_cursor cur;
    struct fr_event ev;
    fr_cursor_init(&chunks[i], &cur);
    uint32_t thread = chunks[i].hdr.thread_index;
    while (fr_chunk_next(&chunks[i], &cur, &ev) == 1) {
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
    fr_snapshot_release(x->s, chunks[i].events, chunks[i].hdr.event_bytes);
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

// ---- What the replay tells the formats -----------------------------------------

// The pre-scan's contended acquisitions: a wait, then its acquisition of
// the same lock on the same thread.
static void export_scan(void *ctx, uint32_t thread, const struct fr_event *ev) {
  struct exporter *x = ctx;
  uint32_t kind;
  int dir = fr_replay_classify(ev, &kind);
  if (!dir || kind != ITEM_WAIT || !ev->nfields)
    return;
  if (thread != x->scan_thread)
    x->scan_waiting = 0;
  x->scan_thread = thread;
  uint64_t lock = ev->field[0];
  if (dir > 0) {
    x->scan_waiting = 1;
    x->scan_lock = lock;
    x->scan_wait_ns = export_to_ns(x->s, ev->ticks);
  } else if (x->scan_waiting && x->scan_lock == lock) {
    x->scan_waiting = 0;
    note_contended(x, lock, x->scan_wait_ns, export_to_ns(x->s, ev->ticks),
                   thread);
  }
}

static void export_scanned(void *ctx) {
  struct exporter *x = ctx;
  find_handoffs(x);
  if (x->format->begin)
    x->format->begin(x);
}

static void export_thread_begin(void *ctx, const struct fr_replay_thread *t) {
  struct exporter *x = ctx;
  x->thread_index = t->index;
  x->tid = t->tid;
  memcpy(x->thread_name, t->name, sizeof(x->thread_name));
  if (x->format->thread_begin)
    x->format->thread_begin(x, export_to_ns(x->s, t->base_ticks));
}

static void export_begin(void *ctx, const struct fr_replay_item *it,
                         uint32_t depth) {
  struct exporter *x = ctx;
  uint64_t ts = export_to_ns(x->s, it->begin);
  const struct fr_site_info *si =
      it->kind == ITEM_CALL ? fr_snapshot_site(x->s, it->site) : NULL;
  (void)depth;
  // An argument is shown only when the begin event carried it.
  if (it->kind == ITEM_FUNCTION || !it->nfields)
    emit_begin(x, ts, it->kind, it->site, NULL, 0, 0);
  else if (it->kind == ITEM_CALL)
    // An address or a pthread_t in hex, as dump shows them.
    emit_begin(x, ts, it->kind, it->site,
               si ? fr_blocking_arg_name(si->detail) : NULL,
               fr_unzigzag(it->field[0]),
               si && ((si->detail & 0xff) == FR_ARG_ADDR ||
                      (si->detail & 0xff) == FR_ARG_THREAD));
  else if (it->kind == ITEM_REGION)
    emit_begin(x, ts, it->kind, it->site, "task", (int64_t)it->field[0], 0);
  else
    emit_begin(x, ts, it->kind, it->site,
               it->kind == ITEM_COND ? "cond" : "lock", (int64_t)it->field[0], 1);
  if (it->early && x->depth)
    x->stack[x->depth - 1].incomplete = 1; // began before the window
}

static void export_end(void *ctx, const struct fr_replay_item *it,
                       uint64_t ticks, enum fr_replay_end how,
                       const struct fr_event *ev) {
  struct exporter *x = ctx;
  uint64_t ts = export_to_ns(x->s, ticks);
  char errname[24];
  if (!x->depth)
    return; // its begin did not fit in memory
  if (how == FR_REPLAY_CUT || how == FR_REPLAY_EXITED ||
      how == FR_REPLAY_SNAPSHOT) // still running where its events end
    x->stack[x->depth - 1].incomplete = 1;
  if (how == FR_REPLAY_MUTED) {
    // Its exit was not recorded: it ended at some time before, which
    // summary does not time either.
    x->stack[x->depth - 1].incomplete = 1;
    emit_end(x, ts, NULL, 0, "end", "not recorded: muted while it ran");
  } else if (how == FR_REPLAY_UNWOUND && it->kind == ITEM_FUNCTION &&
             !it->slow) {
    // Ended by an unwinder or a longjmp, where a frame below it went on
    // (about then).
    emit_end(x, ts, NULL, 0, "end", "unwound");
  } else if (how != FR_REPLAY_ENDED || it->slow)
    emit_end(x, ts, NULL, 0, NULL, NULL);
  else if (it->kind == ITEM_CALL && ev->nfields >= 2)
    emit_end(x, ts, "result", fr_unzigzag(ev->field[0]), "errno",
             fr_errno_name(fr_unzigzag(ev->field[1]), errname));
  else if (it->kind == ITEM_CALL && ev->nfields)
    emit_end(x, ts, "result", fr_unzigzag(ev->field[0]), NULL, NULL);
  else if (it->kind != ITEM_FUNCTION && ev->nfields >= 2 && ev->field[1])
    emit_end(x, ts, NULL, 0, "error",
             fr_errno_name(fr_unzigzag(ev->field[1]), errname));
  else
    emit_end(x, ts, NULL, 0, NULL, NULL);
  if (how == FR_REPLAY_ENDED && it->kind == ITEM_WAIT && ev->nfields &&
      (x->flow_in = handoff_flow(x, 0, ts, ev->field[0]))) {
    emit_instant(x, ts, ev->id, "acquired", ev->field[0]);
    x->flow_in = 0;
  }
}

static void export_other(void *ctx, const struct fr_event *ev) {
  struct exporter *x = ctx;
  uint64_t ts = export_to_ns(x->s, ev->ticks);
  if (ev->event_class == FR_EV_EXT && ev->id == FR_EXT_COUNTED) {
    struct export_args a = {"calls", (int64_t)ev->field[0], 0, NULL, NULL};
    if (x->format->instant)
      x->format->instant(x, ts, ITEM_COUNTED, (uint32_t)ev->arg, &a);
  } else if (ev->event_class == FR_EV_EXT &&
             (ev->id == FR_EXT_MUTED || ev->id == FR_EXT_REARMED)) {
    // The budget muted a site here (what follows lacks its events until it
    // is re-armed), or re-armed it.
    int muted = ev->id == FR_EXT_MUTED;
    struct export_args a = {muted ? "events_per_second" : "muted_ms",
                            (int64_t)ev->field[0], 0, NULL, NULL};
    if (x->format->instant)
      x->format->instant(x, ts, muted ? ITEM_MUTED : ITEM_REARMED,
                         (uint32_t)ev->arg, &a);
  } else if (ev->event_class == FR_EV_SITE &&
             (ev->site_event == FR_SEV_TASK_BEGIN ||
              ev->site_event == FR_SEV_TASK_END ||
              ev->site_event == FR_SEV_LOG)) {
    emit_user_mark(x, ts, ev);
  } else if (ev->event_class == FR_EV_SITE &&
             (ev->site_event == FR_SEV_ACQUIRE ||
              ev->site_event == FR_SEV_RELEASE ||
              ev->site_event == FR_SEV_SIGNAL) &&
             ev->nfields) {
    // (A site event of a kind this frtool does not know is left out.)
    const char *what = ev->site_event == FR_SEV_ACQUIRE   ? "acquire"
                       : ev->site_event == FR_SEV_RELEASE ? "release"
                                                          : "signal";
    if (ev->site_event == FR_SEV_RELEASE)
      x->flow_out = handoff_flow(x, 1, ts, ev->field[0]);
    emit_instant(x, ts, ev->id, what, ev->field[0]);
    x->flow_out = 0;
  }
}

static void export_thread_end(void *ctx, int exited) {
  struct exporter *x = ctx;
  (void)exited;
  if (x->format->thread_end)
    x->format->thread_end(x);
}

// The sink that feeds x's format.
static struct fr_replay_sink export_sink(struct exporter *x) {
  return (struct fr_replay_sink){.ctx = x,
                                 .scan = x->format->handoffs ? export_scan : NULL,
                                 .scanned = export_scanned,
                                 .thread_begin = export_thread_begin,
                                 .begin = export_begin,
                                 .end = export_end,
                                 .other = export_other,
                                 .thread_end = export_thread_end};
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
  x->start_ns = UINT64_MAX;
  for (uint32_t i = 0; i < s->chunk_count; i++) {
    uint64_t base = export_to_ns(s, s->chunks[i].hdr.base_ticks);
    if (base < x->start_ns)
      x->start_ns = base;
  }
  if (x->start_ns == UINT64_MAX)
    x->start_ns = 0;
  struct fr_replay_sink sinks[2] = {export_sink(x)};
  unsigned n = 1;
  // The report's tables come from the same replay as its timeline.
  if (x->format->wants_analysis) {
    sinks[n++] = fr_analysis_sink(&x->analysis);
    if (fr_analysis_init(s, 50, &x->analysis) != 0)
      return -1;
  }
  struct fr_replay_stats stats;
  if (fr_replay(s, sinks, n, &stats) != 0 || x->failed)
    return -1;
  x->malformed_chunks = stats.malformed_chunks;
  x->unknown_events = stats.unknown_events;
  if (x->format->wants_analysis && fr_analysis_finish(&x->analysis) != 0)
    return -1;
  if (x->format->handoffs && x->format->wait_counter)
    write_wait_counter(x);
  return x->format->end && x->format->end(x) != 0 ? -1 : 0;
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
  fr_analysis_free(&x.analysis);
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
