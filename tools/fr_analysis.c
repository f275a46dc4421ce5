// SPDX-License-Identifier: Apache-2.0
// fr_analysis.c: statistics from the one replay (fr_replay.c): calls, lock
// waits and holds, blocking calls, user tasks, regions and logs, the
// budget's mutes and counts (see fr_analysis.h).
#include "fr_analysis.h"

#include <stdlib.h>
#include <string.h>

// A call open on the current thread, for its self time.
struct frame {
  uint32_t site;
  uint64_t start, child;
};

struct held {
  uint64_t addr, since;
  uint32_t site;
};

// The current thread's state. Begins and ends come properly nested from the
// replay: frames mirror its open calls.
struct fr_analysis_replay {
  const struct fr_snapshot *snapshot;
  struct fr_thread_stats *thread;
  struct frame *stack;
  uint32_t depth, stack_cap;
  struct held *held;
  uint32_t held_count, held_cap;
  // How many of each are open (fr_open_count): frames by site, held locks
  // by address.
  struct fr_counts open_frames;
  struct fr_map open_holds;
  // Blocking calls open: one a signal handler makes inside another is in
  // its time already.
  uint32_t open_calls;
  struct fr_thread_stats spare_thread; // when the threads' table is full
  int failed; // out of memory
};

// What a new run of chunks (after a missing one) forgets: the locks held.
static void forget_holds(struct fr_analysis_replay *r) {
  for (uint32_t k = 0; k < r->held_count; k++)
    fr_open_add(&r->open_holds, r->held[k].addr, -1);
  r->held_count = 0;
}

// The record for key in a table, created zeroed (with its key) when absent.
#define TABLE_GET(a, map, arr, count, cap, keyfield, keyval)                   \
  ({                                                                           \
    __typeof__((a)->arr) rec_ = NULL;                                          \
    uint32_t *slot_ = fr_map_slot(&(a)->map, (keyval));                        \
    if (slot_ && *slot_ == UINT32_MAX &&                                       \
        !fr_grow((void **)&(a)->arr, &(a)->cap, (a)->count + 1,                \
                 sizeof(*(a)->arr))) {                                         \
      *slot_ = (a)->count++;                                                   \
      memset(&(a)->arr[*slot_], 0, sizeof(*(a)->arr));                         \
      (a)->arr[*slot_].keyfield = (keyval);                                    \
    }                                                                          \
    if (slot_ && *slot_ != UINT32_MAX)                                         \
      rec_ = &(a)->arr[*slot_];                                                \
    rec_;                                                                      \
  })

static struct fr_func_stats *func_get(struct fr_analysis *a, uint32_t site) {
  // Site ids are dense: an array finds most; the map takes the rest.
  if (site < a->func_by_site_count && a->func_by_site[site] != UINT32_MAX)
    return &a->funcs[a->func_by_site[site]];
  struct fr_func_stats *f =
      TABLE_GET(a, func_map, funcs, func_count, func_cap, site, site);
  if (f && site < a->func_by_site_count)
    a->func_by_site[site] = (uint32_t)(f - a->funcs);
  return f;
}

static struct fr_lock_stats *lock_get(struct fr_analysis *a, uint64_t addr,
                                      const struct fr_site_info *si,
                                      uint32_t site) {
  struct fr_lock_stats *l =
      TABLE_GET(a, lock_map, locks, lock_count, lock_cap, addr, addr);
  if (l && !l->first_site) {
    l->first_site = site;
    l->detail = si ? si->detail : 0;
  }
  return l;
}

static struct fr_lock_site_stats *lock_site_get(struct fr_analysis *a,
                                                uint32_t site, uint64_t addr) {
  struct fr_lock_site_stats *ls = TABLE_GET(
      a, lock_site_map, lock_sites, lock_site_count, lock_site_cap, site, site);
  if (ls && (ls->addr_count == 0 || ls->addr != addr)) {
    ls->addr_count += ls->addr_count < 2;
    ls->addr = addr;
  }
  return ls;
}

static void lock_add_thread(struct fr_lock_stats *l, uint32_t thread) {
  uint32_t known = l->thread_count < FR_LOCK_MAX_THREADS ? l->thread_count
                                                         : FR_LOCK_MAX_THREADS;
  for (uint32_t i = 0; i < known; i++)
    if (l->threads[i] == thread)
      return;
  if (l->thread_count < FR_LOCK_MAX_THREADS)
    l->threads[l->thread_count] = thread;
  l->thread_count++; // past the array: an upper bound, shown as "16+"
}

static void note_blocked(struct fr_analysis *a, const struct fr_blocked *b) {
  if (b->open) {
    if (!fr_grow((void **)&a->open, &a->open_cap, a->open_count + 1,
                 sizeof(*a->open)))
      a->open[a->open_count++] = *b;
    return;
  }
  if (!a->top_blocked)
    return;
  uint64_t length = b->end - b->begin;
  if (a->longest_count < a->top_blocked) {
    a->longest[a->longest_count++] = *b;
    return;
  }
  uint32_t shortest = 0;
  for (uint32_t i = 1; i < a->longest_count; i++)
    if (a->longest[i].end - a->longest[i].begin <
        a->longest[shortest].end - a->longest[shortest].begin)
      shortest = i;
  if (length > a->longest[shortest].end - a->longest[shortest].begin)
    a->longest[shortest] = *b;
}

static void hold_begin(struct fr_analysis_replay *r, uint64_t addr, uint32_t site,
                       uint64_t now) {
  if (!fr_grow((void **)&r->held, &r->held_cap, r->held_count + 1,
               sizeof(*r->held))) {
    r->held[r->held_count++] = (struct held){addr, now, site};
    fr_open_add(&r->open_holds, addr, 1);
  }
}

static void hold_end(struct fr_analysis *a, struct fr_analysis_replay *r, uint64_t addr,
                     uint64_t now) {
  if (!fr_open_count(&r->open_holds, addr))
    return; // taken before the window, or a semaphore another thread took
  for (uint32_t i = r->held_count; i-- > 0;) {
    if (r->held[i].addr != addr)
      continue;
    uint64_t held_for = now - r->held[i].since;
    struct fr_lock_stats *l = lock_get(a, addr, NULL, r->held[i].site);
    if (l)
      fr_dist_add(&l->hold, held_for);
    struct fr_lock_site_stats *ls = lock_site_get(a, r->held[i].site, addr);
    if (ls)
      fr_dist_add(&ls->hold, held_for);
    r->held[i] = r->held[--r->held_count];
    fr_open_add(&r->open_holds, addr, -1);
    return;
  }
  // Taken before the window, or a semaphore posted by another thread.
}

// Counts one acquisition attempt that ended now after waiting `waited`
// ticks (0: taken at once); ok is whether the lock is now held.
static void acquisition(struct fr_analysis *a, struct fr_analysis_replay *r,
                        const struct fr_site_info *si, uint32_t site,
                        uint64_t addr, int ok, int contended, uint64_t waited,
                        int wait_known, uint64_t now) {
  struct fr_lock_stats *l = lock_get(a, addr, si, site);
  struct fr_lock_site_stats *ls = lock_site_get(a, site, addr);
  if (!l || !ls)
    return;
  lock_add_thread(l, r->thread->index);
  if (ok) {
    l->acquisitions++;
    ls->acquisitions++;
  } else {
    l->failed++;
    ls->failed++;
  }
  if (contended) {
    l->contended++;
    ls->contended++;
  }
  if (wait_known) {
    fr_dist_add(&l->wait, waited);
    fr_dist_add(&ls->wait, waited);
  }
  if (ok && (!si || FR_LOCK_KIND(si->detail) != FR_LOCK_SEMAPHORE))
    hold_begin(r, addr, site, now);
}

// Whether a blocking site's result means failure.
static int call_failed(const struct fr_site_info *si, const struct fr_event *ev) {
  int64_t result = ev->nfields ? fr_unzigzag(ev->field[0]) : 0;
  switch (si ? si->detail >> 8 : FR_RESULT_COUNT) {
  case FR_RESULT_ERRNO:
  case FR_RESULT_VFORK:
    return result == -1;
  case FR_RESULT_ERRNUM:
    return result != 0;
  }
  return 0;
}

static struct fr_user_stats *user_get(struct fr_analysis *a, uint32_t site,
                                      uint32_t kind) {
  struct fr_user_stats *u =
      TABLE_GET(a, user_map, users, user_count, user_cap, site, site);
  if (u)
    u->kind = kind;
  return u;
}


static void on_user_event(struct fr_analysis *a, struct fr_analysis_replay *r,
                          const struct fr_event *ev) {
  uint64_t now = ev->ticks, task = ev->nfields ? ev->field[0] : 0;
  switch (ev->site_event) {
  case FR_SEV_TASK_BEGIN:
  case FR_SEV_TASK_END: {
    // A task may begin on one thread and end on another: pair by id at the
    // end of the analysis.
    struct fr_task_seen *t =
        TABLE_GET(a, task_map, tasks, task_count, task_cap, id, task);
    if (!t)
      break;
    if (ev->site_event == FR_SEV_TASK_BEGIN) {
      t->begin = now;
      t->site = ev->id;
    } else {
      t->end = now;
    }
    break;
  }
  case FR_SEV_LOG: {
    a->log_count++;
    struct fr_user_stats *u = user_get(a, ev->id, FR_USER_LOG);
    if (u)
      u->duration.count++; // logs: a count only
    // Keep the newest few, in time order.
    uint32_t n = a->recent_log_count, at = n;
    while (at > 0 && a->recent_logs[at - 1].ticks > now)
      at--;
    if (n == FR_RECENT_LOGS) {
      if (at == 0)
        break; // older than all kept
      memmove(&a->recent_logs[0], &a->recent_logs[1],
              (at - 1) * sizeof(a->recent_logs[0]));
      at--;
    } else {
      memmove(&a->recent_logs[at + 1], &a->recent_logs[at],
              (n - at) * sizeof(a->recent_logs[0]));
      a->recent_log_count++;
    }
    struct fr_log_entry *e = &a->recent_logs[at];
    e->ticks = now;
    e->thread = r->thread->index;
    e->category = ev->id;
    e->task = task;
    memcpy(e->text, ev->text, ev->text_len);
    e->text[ev->text_len] = 0;
    break;
  }
  }
}

// A lock event that begins and ends nothing: an acquisition without a wait,
// a release, a signal.
static void on_lock_instant(struct fr_analysis *a, struct fr_analysis_replay *r,
                            const struct fr_event *ev) {
  const struct fr_site_info *si = fr_snapshot_site(r->snapshot, ev->id);
  uint64_t f0 = ev->nfields > 0 ? ev->field[0] : 0;
  int64_t result = ev->nfields > 1 ? fr_unzigzag(ev->field[1]) : 0;
  switch (ev->site_event) {
  case FR_SEV_ACQUIRE:
    acquisition(a, r, si, ev->id, f0, result == 0, 0, 0, result == 0,
                ev->ticks);
    break;
  case FR_SEV_RELEASE:
    hold_end(a, r, f0, ev->ticks);
    break;
  case FR_SEV_SIGNAL: {
    struct fr_lock_stats *l = lock_get(a, f0, si, ev->id);
    if (l) {
      l->signals++;
      lock_add_thread(l, r->thread->index);
    }
    break;
  }
  }
}

// Budget events are kept as read (a mute, or a re-arm with rearmed set and
// ticks 0) and paired after the replay, which reads chunks thread by thread:
// a re-arm may come before the mute it ends.
static int on_budget_event(struct fr_analysis *a, const struct fr_event *ev,
                           uint32_t thread) {
  if (fr_grow((void **)&a->mutes, &a->mute_cap, a->mute_count + 1,
              sizeof(*a->mutes)))
    return -1;
  uint32_t site = (uint32_t)ev->arg;
  fr_open_add(&a->muted_sites, site, 1);
  a->mutes[a->mute_count++] =
      ev->id == FR_EXT_MUTED
          ? (struct fr_mute){site, thread, ev->field[0], ev->ticks, 0}
          : (struct fr_mute){site, thread, 0, 0, ev->ticks};
  return 0;
}

// The time of a budget event as read: a mute's, or a re-arm's.
static uint64_t budget_event_ticks(const struct fr_mute *m) {
  return m->ticks ? m->ticks : m->rearmed;
}

static int budget_event_cmp(const void *x, const void *y) {
  const struct fr_mute *a = x, *b = y;
  if (a->site != b->site)
    return a->site < b->site ? -1 : 1;
  uint64_t ta = budget_event_ticks(a), tb = budget_event_ticks(b);
  return ta < tb ? -1 : ta > tb;
}

// Pairs the budget events into rows, by site, in O(n log n) however
// many a file holds: a mute is a row; a re-arm closes the site's row just
// before it if that one is still open, else is a row of its own (a site
// muted before the window).
static void pair_budget_events(struct fr_analysis *a) {
  fr_sort(a->mutes, a->mute_count, sizeof(*a->mutes), budget_event_cmp);
  uint32_t rows = 0;
  for (uint32_t i = 0; i < a->mute_count; i++) {
    struct fr_mute m = a->mutes[i];
    struct fr_mute *last = rows ? &a->mutes[rows - 1] : NULL;
    if (!m.ticks && last && last->site == m.site && last->ticks &&
        !last->rearmed) {
      last->rearmed = m.rearmed;
      continue;
    }
    a->mutes[rows++] = m;
  }
  a->mute_count = rows;
}

// The counted tier: a count of a muted site's calls on this thread, or one
// of its calls that was slow (ending at the event): a whole call, as its
// caller's child (its own children recorded inside it were counted there
// already; the caller's self time is clamped at 0).

int fr_analysis_site_muted(const struct fr_analysis *a,
                           const struct fr_site_info *si) {
  if (!si)
    return 0;
  return (si->flags & FR_SITE_MUTED) ||
         fr_open_count((struct fr_map *)&a->muted_sites, si->id);
}

// The counted tier: a count of a muted site's calls on this thread, or that
// one of them was slow (its time comes as the slow call's slice).
static void on_counted_event(struct fr_analysis *a, const struct fr_event *ev,
                             uint32_t thread) {
  uint32_t site = (uint32_t)ev->arg;
  uint64_t key = (uint64_t)site << 32 | thread;
  struct fr_counted_stats *c = TABLE_GET(a, counted_map, counted,
                                         counted_count, counted_cap, key, key);
  if (!c)
    return;
  c->site = site;
  c->thread = thread;
  if (ev->id == FR_EXT_SLOW_CALL) {
    c->slow++;
    return;
  }
  c->calls += ev->field[0];
  struct fr_func_stats *f = func_get(a, site);
  if (f)
    f->counted += ev->field[0];
}

// A call of site took `inclusive` ticks, `child` of them in calls it made.
static void measured_call(struct fr_analysis *a, struct fr_analysis_replay *r,
                          uint32_t site, uint64_t inclusive, uint64_t child) {
  struct fr_func_stats *f = func_get(a, site);
  if (f) {
    fr_dist_add(&f->inclusive, inclusive);
    if (!fr_counts_get(&r->open_frames, site)) // not inside itself
      f->outer_total += inclusive;
    f->exclusive_total += inclusive > child ? inclusive - child : 0;
  }
  if (r->depth)
    r->stack[r->depth - 1].child += inclusive;
}

static void partial_call(struct fr_analysis *a, uint32_t site) {
  struct fr_func_stats *f = func_get(a, site);
  if (f)
    f->partial++;
  a->partial_calls++;
}

static void end_function(struct fr_analysis *a, struct fr_analysis_replay *r,
                         const struct fr_replay_item *it, uint64_t ticks,
                         enum fr_replay_end how) {
  if (!r->depth)
    return; // its frame did not fit in memory
  struct frame fr = r->stack[--r->depth];
  fr_counts_add(&r->open_frames, fr.site, -1);
  if (it->early) { // an exit whose entry was before the window
    if (how == FR_REPLAY_ENDED)
      partial_call(a, it->site);
    return;
  }
  if (it->slow) { // a counted site's slow call, timed
    if (how != FR_REPLAY_ENDED)
      return; // an unwinder passed it: its event comes later, unmatched
    struct fr_func_stats *f = func_get(a, it->site);
    if (f)
      f->slow_kept++;
    measured_call(a, r, fr.site, ticks - fr.start, fr.child);
    return;
  }
  if (how == FR_REPLAY_MUTED) {
    // A site the budget muted stops recording in mid-call: its exit is
    // missing by design and may have come long before; such a frame is
    // dropped, not guessed.
    a->muted_open_frames++;
    return;
  }
  if (how == FR_REPLAY_UNWOUND) {
    // Left by an unwinder or a longjmp without its exit: by then (a frame
    // below it is running), and most often just before (an unwinder passes
    // a frame in microseconds).
    a->unwound_frames++;
  } else if (how != FR_REPLAY_ENDED) {
    return; // still running, or cut off: its time is unknown
  }
  measured_call(a, r, fr.site, ticks - fr.start, fr.child);
}

static void end_wait(struct fr_analysis *a, struct fr_analysis_replay *r,
                     const struct fr_replay_item *it, const struct fr_event *ev) {
  const struct fr_site_info *si = fr_snapshot_site(r->snapshot, ev->id);
  uint64_t f0 = ev->nfields > 0 ? ev->field[0] : 0, now = ev->ticks;
  int64_t result = ev->nfields > 1 ? fr_unzigzag(ev->field[1]) : 0;
  // A lock call without a try records a wait every time: it counts as
  // contended when it lasted longer than a microsecond.
  uint64_t user_contended = r->snapshot->hdr.tick_hz / 1000000 + 1;
  // A wait of another lock (a damaged file) says nothing about this one.
  int known = it && !it->early && (it->nfields ? it->field[0] : 0) == f0;
  uint64_t waited = known ? now - it->begin : 0;
  int contended = !si || !(si->detail & FR_LOCK_WAITS_ALWAYS) ||
                  waited >= user_contended;
  acquisition(a, r, si, ev->id, f0, result == 0, contended, waited, known, now);
  if (known) {
    r->thread->lock_wait += waited;
    note_blocked(a, &(struct fr_blocked){r->thread->index, it->site,
                                         FR_BLOCKED_LOCK, 0, f0, it->begin,
                                         now});
  }
}

static void end_cond(struct fr_analysis *a, struct fr_analysis_replay *r,
                     const struct fr_replay_item *it, const struct fr_event *ev) {
  const struct fr_site_info *si = fr_snapshot_site(r->snapshot, ev->id);
  uint64_t f0 = ev->nfields > 0 ? ev->field[0] : 0, now = ev->ticks;
  struct fr_lock_stats *l = lock_get(a, f0, si, ev->id);
  if (l)
    lock_add_thread(l, r->thread->index);
  if (!it || it->early || (it->nfields ? it->field[0] : 0) != f0)
    return; // the wait began before the window
  uint64_t waited = now - it->begin;
  if (l) {
    l->acquisitions++;
    fr_dist_add(&l->wait, waited);
  }
  r->thread->cond_wait += waited;
  note_blocked(a, &(struct fr_blocked){r->thread->index, it->site,
                                       FR_BLOCKED_COND, 0, f0, it->begin, now});
  hold_begin(r, it->nfields > 1 ? it->field[1] : 0, it->site, now); // the mutex
}

static void end_call(struct fr_analysis *a, struct fr_analysis_replay *r,
                     const struct fr_replay_item *it, const struct fr_event *ev) {
  struct fr_block_stats *b = TABLE_GET(a, block_site_map, block_sites,
                                       block_site_count, block_site_cap, key,
                                       (uint64_t)ev->id);
  if (!b)
    return;
  b->site = ev->id;
  if (!it || it->early) { // called before the window
    b->partial++;
    return;
  }
  const struct fr_site_info *si = fr_snapshot_site(r->snapshot, ev->id);
  uint64_t took = ev->ticks - it->begin;
  uint64_t object = it->nfields ? (uint64_t)fr_unzigzag(it->field[0]) : 0;
  int failed = call_failed(si, ev);
  fr_dist_add(&b->duration, took);
  b->errors += failed;
  if (si && (si->detail & 0xff) == FR_ARG_FD) {
    struct fr_block_stats *fd =
        TABLE_GET(a, fd_map, fds, fd_count, fd_cap, key, object);
    if (fd) {
      if (!fd->duration.count)
        fd->site = ev->id;
      fr_dist_add(&fd->duration, took);
      fd->errors += failed;
    }
  }
  if (!r->open_calls) // not inside another blocking call (a signal handler's)
    r->thread->blocking += took;
  note_blocked(a, &(struct fr_blocked){r->thread->index, ev->id,
                                       FR_BLOCKED_CALL, 0, object, it->begin,
                                       ev->ticks});
}

// An end event of a wait, cond wait, blocking call or region: of item it,
// or of none that was open (NULL: begun before the window or a gap).
static void end_by_event(struct fr_analysis *a, struct fr_analysis_replay *r,
                         uint32_t kind, const struct fr_replay_item *it,
                         const struct fr_event *ev) {
  switch (kind) {
  case ITEM_WAIT:
    end_wait(a, r, it, ev);
    break;
  case ITEM_COND:
    end_cond(a, r, it, ev);
    break;
  case ITEM_CALL:
    end_call(a, r, it, ev);
    break;
  case ITEM_REGION:
    if (it && !it->early) {
      struct fr_user_stats *u = user_get(a, it->site, FR_USER_REGION);
      if (u)
        fr_dist_add(&u->duration, ev->ticks - it->begin);
    }
    break;
  }
}

// ---- What the replay tells the analysis ------------------------------------------

static void analysis_thread_begin(void *ctx, const struct fr_replay_thread *t) {
  struct fr_analysis *a = ctx;
  struct fr_analysis_replay *r = a->replay;
  if (fr_grow((void **)&a->threads, &a->thread_cap, a->thread_count + 1,
              sizeof(*a->threads))) {
    r->failed = 1;
    r->thread = &r->spare_thread;
  } else {
    r->thread = &a->threads[a->thread_count++];
  }
  memset(r->thread, 0, sizeof(*r->thread));
  r->thread->index = t->index;
  r->thread->tid = t->tid;
  memcpy(r->thread->name, t->name, sizeof(r->thread->name));
  r->thread->first_ticks = UINT64_MAX;
}

static void analysis_chunk(void *ctx, const struct fr_chunk_view *c,
                           int after_gap) {
  struct fr_analysis *a = ctx;
  (void)c;
  if (after_gap) { // a recycled chunk: what was held before it is unknown
    a->gaps++;
    forget_holds(a->replay);
  }
}

static void analysis_event(void *ctx, const struct fr_event *ev) {
  struct fr_analysis *a = ctx;
  struct fr_analysis_replay *r = a->replay;
  struct fr_thread_stats *t = r->thread;
  a->events++;
  a->unknown_events += ev->unknown;
  t->events++;
  if (ev->ticks < t->first_ticks)
    t->first_ticks = ev->ticks;
  if (ev->ticks > t->last_ticks)
    t->last_ticks = ev->ticks;
  if (ev->ticks < a->first_ticks)
    a->first_ticks = ev->ticks;
  if (ev->ticks > a->last_ticks)
    a->last_ticks = ev->ticks;
  if (ev->event_class != FR_EV_EXT)
    return;
  switch (ev->id) {
  case FR_EXT_LOST:
  case FR_EXT_DROPPED:
    // The stack stays: dropped events are most often a signal handler's,
    // nested and whole; an exit that no longer matches is repaired where
    // it comes, as after a longjmp.
    a->gaps++;
    t->dropped += ev->arg;
    if (ev->id == FR_EXT_LOST) {
      a->dropped.unknown += ev->arg;
    } else {
      a->dropped.reentrant += ev->field[0];
      a->dropped.no_space += ev->field[1];
    }
    break;
  case FR_EXT_MUTED:
  case FR_EXT_REARMED:
    if (on_budget_event(a, ev, t->index) != 0)
      r->failed = 1;
    break;
  case FR_EXT_COUNTED:
  case FR_EXT_SLOW_CALL:
    on_counted_event(a, ev, t->index);
    break;
  }
}

static void analysis_begin(void *ctx, const struct fr_replay_item *it,
                           uint32_t depth) {
  struct fr_analysis *a = ctx;
  struct fr_analysis_replay *r = a->replay;
  (void)depth;
  if (it->kind == ITEM_FUNCTION) {
    if (r->depth == r->stack_cap &&
        fr_grow((void **)&r->stack, &r->stack_cap, r->depth + 1,
                sizeof(*r->stack))) {
      r->failed = 1;
      return;
    }
    r->stack[r->depth++] = (struct frame){it->site, it->begin, 0};
    fr_counts_add(&r->open_frames, it->site, 1);
  } else if (it->kind == ITEM_CALL) {
    r->open_calls++;
  } else if (it->kind == ITEM_COND && !it->early) {
    hold_end(a, r, it->nfields > 1 ? it->field[1] : 0, it->begin); // its mutex
  }
}

static void analysis_end(void *ctx, const struct fr_replay_item *it,
                         uint64_t ticks, enum fr_replay_end how,
                         const struct fr_event *ev) {
  struct fr_analysis *a = ctx;
  struct fr_analysis_replay *r = a->replay;
  if (it->kind == ITEM_FUNCTION) {
    end_function(a, r, it, ticks, how);
    return;
  }
  if (it->kind == ITEM_CALL && r->open_calls)
    r->open_calls--;
  if (how == FR_REPLAY_ENDED) {
    end_by_event(a, r, it->kind, it, ev);
    return;
  }
  if (it->early || (how != FR_REPLAY_SNAPSHOT && how != FR_REPLAY_EXITED))
    return; // unwound (ended by something that recorded no end), or cut off
  if (it->kind == ITEM_REGION) {
    struct fr_user_stats *u = user_get(a, it->site, FR_USER_REGION);
    if (u)
      u->unfinished++;
    return;
  }
  // Blocked when the snapshot was taken. A thread that exited is blocked in
  // nothing: a wait it never ended was ended by something that recorded no
  // end (a cancellation, an exception).
  uint64_t end = r->snapshot->hdr.snapshot_ticks;
  uint64_t object = it->nfields ? it->field[0] : 0; // a lock, a cond
  if (it->kind == ITEM_CALL) // a call's argument
    object = (uint64_t)fr_unzigzag(object);
  if (how == FR_REPLAY_SNAPSHOT && end >= it->begin)
    note_blocked(a, &(struct fr_blocked){
                        r->thread->index, it->site,
                        it->kind == ITEM_WAIT   ? FR_BLOCKED_LOCK
                        : it->kind == ITEM_COND ? FR_BLOCKED_COND
                                                : FR_BLOCKED_CALL,
                        1, object, it->begin, end});
}

static void analysis_unmatched(void *ctx, uint32_t kind,
                               const struct fr_event *ev) {
  struct fr_analysis *a = ctx;
  struct fr_analysis_replay *r = a->replay;
  if (ev->event_class == FR_EV_EXT && ev->id == FR_EXT_SLOW_CALL) {
    // Its slice was unwound before its event: a whole call all the same.
    struct fr_func_stats *f = func_get(a, (uint32_t)ev->arg);
    if (f)
      f->slow_kept++;
    measured_call(a, r, (uint32_t)ev->arg, ev->field[0], 0);
    return;
  }
  if (kind == ITEM_FUNCTION)
    partial_call(a, ev->id);
  else
    end_by_event(a, r, kind, NULL, ev);
}

static void analysis_other(void *ctx, const struct fr_event *ev) {
  struct fr_analysis *a = ctx;
  if (ev->event_class != FR_EV_SITE)
    return;
  if (ev->site_event >= FR_SEV_TASK_BEGIN)
    on_user_event(a, a->replay, ev);
  else
    on_lock_instant(a, a->replay, ev);
}

static void analysis_thread_end(void *ctx, int exited) {
  struct fr_analysis *a = ctx;
  struct fr_analysis_replay *r = a->replay;
  (void)exited;
  forget_holds(r);
  r->open_calls = 0;
  // The replay ended every call it began, so the counts are 0 again; not
  // when a frame did not fit in memory.
  for (; r->depth > 0; r->depth--)
    fr_counts_add(&r->open_frames, r->stack[r->depth - 1].site, -1);
}

struct fr_replay_sink fr_analysis_sink(struct fr_analysis *a) {
  return (struct fr_replay_sink){.ctx = a,
                                 .thread_begin = analysis_thread_begin,
                                 .chunk = analysis_chunk,
                                 .event = analysis_event,
                                 .begin = analysis_begin,
                                 .end = analysis_end,
                                 .unmatched = analysis_unmatched,
                                 .other = analysis_other,
                                 .thread_end = analysis_thread_end};
}

int fr_analysis_init(const struct fr_snapshot *s, uint32_t top_blocked,
                     struct fr_analysis *a) {
  memset(a, 0, sizeof(*a));
  a->top_blocked = top_blocked;
  a->first_ticks = UINT64_MAX;
  a->longest = calloc(top_blocked + 1, sizeof(*a->longest));
  a->replay = calloc(1, sizeof(*a->replay));
  if (!a->longest || !a->replay)
    return -1;
  a->replay->snapshot = s;
  if (fr_counts_init(&a->replay->open_frames, fr_snapshot_dense_ids(s)))
    return -1;
  uint32_t max_id = s->site_count ? s->sites[s->site_count - 1].id : 0;
  if (max_id < (1u << 24)) {
    a->func_by_site = malloc(((size_t)max_id + 1) * sizeof(uint32_t));
    if (a->func_by_site) {
      memset(a->func_by_site, 0xff, ((size_t)max_id + 1) * sizeof(uint32_t));
      a->func_by_site_count = max_id + 1;
    }
  }
  return 0;
}

static void replay_state_free(struct fr_analysis *a) {
  struct fr_analysis_replay *r = a->replay;
  if (!r)
    return;
  free(r->stack);
  free(r->held);
  fr_counts_free(&r->open_frames);
  fr_map_free(&r->open_holds);
  free(r);
  a->replay = NULL;
}

int fr_analysis_finish(struct fr_analysis *a) {
  int failed = !a->replay || a->replay->failed;
  replay_state_free(a);
  pair_budget_events(a);
  for (uint32_t i = 0; i < a->task_count; i++) {
    const struct fr_task_seen *t = &a->tasks[i];
    if (!t->begin)
      continue; // begun before the window
    struct fr_user_stats *u = user_get(a, t->site, FR_USER_TASK);
    if (!u)
      continue;
    if (t->end >= t->begin && t->end)
      fr_dist_add(&u->duration, t->end - t->begin);
    else
      u->unfinished++;
  }
  return failed ? -1 : 0;
}

int fr_analyze(const struct fr_snapshot *s, uint32_t top_blocked,
               struct fr_analysis *a) {
  if (fr_analysis_init(s, top_blocked, a) != 0)
    return -1;
  struct fr_replay_sink sink = fr_analysis_sink(a);
  struct fr_replay_stats stats;
  int failed = fr_replay(s, &sink, 1, &stats) != 0;
  a->malformed_chunks = stats.malformed_chunks;
  failed |= fr_analysis_finish(a) != 0;
  return failed ? -1 : 0;
}

void fr_analysis_free(struct fr_analysis *a) {
  replay_state_free(a);
  for (uint32_t i = 0; i < a->func_count; i++)
    fr_dist_free(&a->funcs[i].inclusive);
  for (uint32_t i = 0; i < a->lock_count; i++) {
    fr_dist_free(&a->locks[i].wait);
    fr_dist_free(&a->locks[i].hold);
  }
  for (uint32_t i = 0; i < a->lock_site_count; i++) {
    fr_dist_free(&a->lock_sites[i].wait);
    fr_dist_free(&a->lock_sites[i].hold);
  }
  for (uint32_t i = 0; i < a->block_site_count; i++)
    fr_dist_free(&a->block_sites[i].duration);
  for (uint32_t i = 0; i < a->fd_count; i++)
    fr_dist_free(&a->fds[i].duration);
  for (uint32_t i = 0; i < a->user_count; i++)
    fr_dist_free(&a->users[i].duration);
  free(a->users);
  free(a->tasks);
  free(a->mutes);
  free(a->counted);
  fr_map_free(&a->counted_map);
  fr_map_free(&a->muted_sites);
  fr_map_free(&a->user_map);
  fr_map_free(&a->task_map);
  free(a->funcs);
  free(a->func_by_site);
  free(a->locks);
  free(a->lock_sites);
  free(a->block_sites);
  free(a->fds);
  free(a->threads);
  free(a->longest);
  free(a->open);
  fr_map_free(&a->func_map);
  fr_map_free(&a->lock_map);
  fr_map_free(&a->lock_site_map);
  fr_map_free(&a->block_site_map);
  fr_map_free(&a->fd_map);
  memset(a, 0, sizeof(*a));
}
