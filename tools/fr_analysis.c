// SPDX-License-Identifier: Apache-2.0
// fr_analysis.c: replaying each thread's events into statistics (see
// fr_analysis.h).
#include "fr_analysis.h"

#include <stdlib.h>
#include <string.h>

struct frame {
  uint32_t site;
  uint64_t start, child;
};

struct held {
  uint64_t addr, since;
  uint32_t site;
};

struct pending {
  int active;
  uint32_t site;
  uint64_t object, extra, since; // extra: the cond wait's mutex
};

struct region {
  uint32_t site;
  uint64_t since;
};

// One thread's replay state.
struct replay {
  struct region *regions;
  uint32_t region_depth, region_cap;
  struct frame *stack;
  uint32_t depth, stack_cap;
  struct held *held;
  uint32_t held_count, held_cap;
  struct pending wait, cond, call;
  struct fr_thread_stats *thread;
  const struct fr_snapshot *snapshot;
  int exited; // its last event so far is its exit
  // How many of each are open (fr_open_count): frames by site, held locks
  // by address, regions by site.
  struct fr_map open_frames, open_holds, open_regions;
};

static void replay_reset(struct replay *r) {
  for (uint32_t k = 0; k < r->depth; k++)
    fr_open_add(&r->open_frames, r->stack[k].site, -1);
  for (uint32_t k = 0; k < r->held_count; k++)
    fr_open_add(&r->open_holds, r->held[k].addr, -1);
  for (uint32_t k = 0; k < r->region_depth; k++)
    fr_open_add(&r->open_regions, r->regions[k].site, -1);
  r->depth = 0;
  r->region_depth = 0;
  r->held_count = 0;
  memset(&r->wait, 0, sizeof(r->wait));
  memset(&r->cond, 0, sizeof(r->cond));
  memset(&r->call, 0, sizeof(r->call));
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

static void hold_begin(struct replay *r, uint64_t addr, uint32_t site,
                       uint64_t now) {
  if (!fr_grow((void **)&r->held, &r->held_cap, r->held_count + 1,
               sizeof(*r->held))) {
    r->held[r->held_count++] = (struct held){addr, now, site};
    fr_open_add(&r->open_holds, addr, 1);
  }
}

static void hold_end(struct fr_analysis *a, struct replay *r, uint64_t addr,
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
static void acquisition(struct fr_analysis *a, struct replay *r,
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

static void on_user_event(struct fr_analysis *a, struct replay *r,
                          const struct fr_event *ev) {
  uint64_t now = ev->ticks, task = ev->nfields ? ev->field[0] : 0;
  switch (ev->site_event) {
  case FR_SEV_REGION_BEGIN:
    if (!fr_grow((void **)&r->regions, &r->region_cap, r->region_depth + 1,
                 sizeof(*r->regions))) {
      r->regions[r->region_depth++] = (struct region){ev->id, now};
      fr_open_add(&r->open_regions, ev->id, 1);
    }
    break;
  case FR_SEV_REGION_END:
    if (!fr_open_count(&r->open_regions, ev->id))
      break; // begun before the window
    for (uint32_t k = r->region_depth; k-- > 0;) {
      if (r->regions[k].site != ev->id)
        continue;
      struct fr_user_stats *u = user_get(a, ev->id, FR_USER_REGION);
      if (u)
        fr_dist_add(&u->duration, now - r->regions[k].since);
      while (r->region_depth > k)
        fr_open_add(&r->open_regions, r->regions[--r->region_depth].site, -1);
      break;
    }
    break;
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

static void on_site_event(struct fr_analysis *a, const struct fr_snapshot *s,
                          struct replay *r, const struct fr_event *ev) {
  const struct fr_site_info *si = fr_snapshot_site(s, ev->id);
  uint64_t now = ev->ticks;
  uint64_t f0 = ev->nfields > 0 ? ev->field[0] : 0;
  int64_t result = ev->nfields > 1 ? fr_unzigzag(ev->field[1]) : 0;
  uint32_t tid = r->thread->index;
  // A lock call without a try records a wait every time: it counts as
  // contended when it lasted longer than a microsecond.
  uint64_t user_contended = s->hdr.tick_hz / 1000000 + 1;

  if (ev->site_event >= FR_SEV_TASK_BEGIN) {
    on_user_event(a, r, ev);
    return;
  }
  switch (ev->site_event) {
  case FR_SEV_ACQUIRE:
    acquisition(a, r, si, ev->id, f0, result == 0, 0, 0, result == 0, now);
    break;
  case FR_SEV_WAIT:
    r->wait = (struct pending){1, ev->id, f0, 0, now};
    break;
  case FR_SEV_ACQUIRED: {
    int known = r->wait.active && r->wait.object == f0;
    uint64_t waited = known ? now - r->wait.since : 0;
    int contended = !si || !(si->detail & FR_LOCK_WAITS_ALWAYS) ||
                    waited >= user_contended;
    acquisition(a, r, si, ev->id, f0, result == 0, contended, waited, known,
                now);
    if (known) {
      r->thread->lock_wait += waited;
      note_blocked(a, &(struct fr_blocked){tid, r->wait.site, FR_BLOCKED_LOCK,
                                           0, f0, r->wait.since, now});
    }
    r->wait.active = 0;
    break;
  }
  case FR_SEV_RELEASE:
    hold_end(a, r, f0, now);
    break;
  case FR_SEV_COND_WAIT:
    hold_end(a, r, ev->nfields > 1 ? ev->field[1] : 0, now);
    r->cond = (struct pending){1, ev->id, f0,
                               ev->nfields > 1 ? ev->field[1] : 0, now};
    break;
  case FR_SEV_COND_WOKEN: {
    struct fr_lock_stats *l = lock_get(a, f0, si, ev->id);
    if (l)
      lock_add_thread(l, tid);
    if (!r->cond.active || r->cond.object != f0)
      break; // the wait began before the window
    uint64_t waited = now - r->cond.since;
    if (l) {
      l->acquisitions++;
      fr_dist_add(&l->wait, waited);
    }
    r->thread->cond_wait += waited;
    note_blocked(a, &(struct fr_blocked){tid, r->cond.site, FR_BLOCKED_COND, 0,
                                         f0, r->cond.since, now});
    hold_begin(r, r->cond.extra, r->cond.site, now); // the mutex, again
    r->cond.active = 0;
    break;
  }
  case FR_SEV_SIGNAL: {
    struct fr_lock_stats *l = lock_get(a, f0, si, ev->id);
    if (l) {
      l->signals++;
      lock_add_thread(l, tid);
    }
    break;
  }
  case FR_SEV_CALL:
    r->call = (struct pending){1, ev->id, (uint64_t)fr_unzigzag(f0), 0, now};
    break;
  case FR_SEV_RETURN: {
    struct fr_block_stats *b = TABLE_GET(a, block_site_map, block_sites,
                                         block_site_count, block_site_cap, key,
                                         (uint64_t)ev->id);
    if (!b)
      break;
    b->site = ev->id;
    if (!r->call.active || r->call.site != ev->id) {
      b->partial++;
      break;
    }
    uint64_t took = now - r->call.since;
    int failed = call_failed(si, ev);
    fr_dist_add(&b->duration, took);
    b->errors += failed;
    if (si && (si->detail & 0xff) == FR_ARG_FD) {
      struct fr_block_stats *fd =
          TABLE_GET(a, fd_map, fds, fd_count, fd_cap, key, r->call.object);
      if (fd) {
        if (!fd->duration.count)
          fd->site = ev->id;
        fr_dist_add(&fd->duration, took);
        fd->errors += failed;
      }
    }
    r->thread->blocking += took;
    note_blocked(a, &(struct fr_blocked){tid, ev->id, FR_BLOCKED_CALL, 0,
                                         r->call.object, r->call.since, now});
    r->call.active = 0;
    break;
  }
  }
}

// Ends the innermost open frame at ticks. A wait or blocking call that
// began inside it and recorded no end was ended by an exception or a
// longjmp: it is forgotten, so that no later end of another is taken for
// its.
// measured: the frame ended at ticks (its exit, or an unwinder passing it);
// otherwise when is unknown and it counts for nothing.
static void end_top_frame(struct fr_analysis *a, struct replay *r,
                          uint64_t ticks, int measured) {
  struct frame fr = r->stack[--r->depth];
  struct pending *inside[] = {&r->wait, &r->cond, &r->call};
  for (unsigned k = 0; k < 3; k++)
    if (inside[k]->active && inside[k]->since >= fr.start)
      inside[k]->active = 0;
  fr_open_add(&r->open_frames, fr.site, -1);
  if (!measured)
    return;
  uint64_t inclusive = ticks - fr.start;
  struct fr_func_stats *f = func_get(a, fr.site);
  if (f) {
    fr_dist_add(&f->inclusive, inclusive);
    if (!fr_open_count(&r->open_frames, fr.site)) // not inside itself
      f->outer_total += inclusive;
    f->exclusive_total += inclusive > fr.child ? inclusive - fr.child : 0;
  }
  if (r->depth)
    r->stack[r->depth - 1].child += inclusive;
}

// Ends the frames above the first keep at ticks: frames an unwinder or a
// longjmp left without recording their exits. They were left by then (a
// frame below them is running), and most often just before: an unwinder
// passes a frame in microseconds.
static void end_frames_above(struct fr_analysis *a, struct replay *r,
                             uint32_t keep, uint64_t ticks) {
  while (r->depth > keep) {
    // A site the budget muted stops recording in mid-call: its exit is
    // missing by design and may have come long before this; such a frame
    // is dropped, not guessed.
    const struct fr_site_info *si =
        fr_snapshot_site(r->snapshot, r->stack[r->depth - 1].site);
    int muted = fr_analysis_site_muted(a, si);
    if (muted)
      a->muted_open_frames++;
    else
      a->unwound_frames++;
    end_top_frame(a, r, ticks, !muted);
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
static void on_counted_event(struct fr_analysis *a, struct replay *r,
                             const struct fr_event *ev, uint32_t thread) {
  uint32_t site = (uint32_t)ev->arg;
  struct fr_func_stats *f = func_get(a, site);
  uint64_t key = (uint64_t)site << 32 | thread;
  struct fr_counted_stats *c = TABLE_GET(a, counted_map, counted,
                                         counted_count, counted_cap, key, key);
  if (c) {
    c->site = site;
    c->thread = thread;
  }
  if (ev->id == FR_EXT_COUNTED) {
    if (c)
      c->calls += ev->field[0];
    if (f)
      f->counted += ev->field[0];
    return;
  }
  if (c)
    c->slow++;
  uint64_t took = ev->field[0];
  if (f) {
    fr_dist_add(&f->inclusive, took);
    f->slow_kept++;
    if (!fr_open_count(&r->open_frames, site))
      f->outer_total += took;
    f->exclusive_total += took;
  }
  if (r->depth)
    r->stack[r->depth - 1].child += took;
}

int fr_analysis_site_muted(const struct fr_analysis *a,
                           const struct fr_site_info *si) {
  if (!si)
    return 0;
  return (si->flags & FR_SITE_MUTED) ||
         fr_open_count((struct fr_map *)&a->muted_sites, si->id);
}

static void on_exit_event(struct fr_analysis *a, struct replay *r,
                          const struct fr_event *ev) {
  uint32_t k = fr_open_count(&r->open_frames, ev->id) ? r->depth : 0;
  while (k > 0 && r->stack[k - 1].site != ev->id)
    k--;
  if (k == 0) {
    struct fr_func_stats *f = func_get(a, ev->id);
    if (f)
      f->partial++;
    a->partial_calls++;
    return;
  }
  end_frames_above(a, r, k, ev->ticks);
  end_top_frame(a, r, ev->ticks, 1);
}

// Where the stack is back at a frame of the event's site (FR_EXT_RESUMED):
// the frames above the innermost open one of that site were left at about
// this time by an unwinder or a longjmp that let them record no exit, and
// end here. A site with no open frame began before what was replayed, so
// every open frame is above it.
static void on_resume_event(struct fr_analysis *a, struct replay *r,
                            const struct fr_event *ev, uint32_t site) {
  uint32_t keep = 0;
  if (fr_open_count(&r->open_frames, site))
    for (keep = r->depth; keep > 0 && r->stack[keep - 1].site != site;)
      keep--;
  end_frames_above(a, r, keep, ev->ticks);
}

// Waits and calls the thread was still in when its events end.
static void close_thread(struct fr_analysis *a, const struct fr_snapshot *s,
                         struct replay *r) {
  uint64_t end = s->hdr.snapshot_ticks;
  uint32_t tid = r->thread->index;
  for (uint32_t k = 0; k < r->region_depth; k++) {
    struct fr_user_stats *u = user_get(a, r->regions[k].site, FR_USER_REGION);
    if (u)
      u->unfinished++;
  }
  const struct pending *p[3] = {&r->wait, &r->cond, &r->call};
  const uint32_t kinds[3] = {FR_BLOCKED_LOCK, FR_BLOCKED_COND, FR_BLOCKED_CALL};
  // A thread that exited is blocked in nothing: a wait it never ended was
  // ended by something that recorded no end (a cancellation, an exception).
  for (int i = 0; i < 3 && !r->exited; i++)
    if (p[i]->active && end >= p[i]->since)
      note_blocked(a, &(struct fr_blocked){tid, p[i]->site, kinds[i], 1,
                                           p[i]->object, p[i]->since, end});
  replay_reset(r);
  r->exited = 0;
}

// ---- Site identity -----------------------------------------------------------

// Two sites with the same kind, function, file, line and callee are one site
// to the user: a static inline function instrumented in several translation
// units, a call inlined into several modules. canon[i] is the id that stands
// for s->sites[i].
static uint64_t site_hash(const struct fr_site_info *si) {
  uint64_t h = 0xcbf29ce484222325ull;
  const char *parts[3] = {si->function, si->file, si->callee};
  for (int k = 0; k < 3; k++) {
    for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++)
      h = (h ^ *p) * 0x100000001b3ull;
    h = (h ^ 0xff) * 0x100000001b3ull;
  }
  h = (h ^ si->line) * 0x100000001b3ull;
  return (h ^ si->kind) * 0x100000001b3ull;
}

static int same_site(const struct fr_site_info *a, const struct fr_site_info *b) {
  return a->kind == b->kind && a->line == b->line &&
         !strcmp(a->function, b->function) && !strcmp(a->file, b->file) &&
         !strcmp(a->callee, b->callee);
}

static uint32_t *canonical_sites(const struct fr_snapshot *s) {
  uint32_t *canon = malloc((s->site_count + 1) * sizeof(*canon));
  struct fr_map seen = {0};
  if (!canon)
    return NULL;
  for (uint32_t i = 0; i < s->site_count; i++) {
    const struct fr_site_info *si = &s->sites[i];
    uint32_t *slot = fr_map_slot(&seen, site_hash(si));
    if (slot && *slot == UINT32_MAX)
      *slot = i;
    canon[i] = slot && same_site(&s->sites[*slot], si) ? s->sites[*slot].id
                                                        : si->id;
  }
  fr_map_free(&seen);
  return canon;
}

static uint32_t canonical_id(const struct fr_snapshot *s, const uint32_t *canon,
                             uint32_t id) {
  // Ids are dense from 1 in a snapshot the runtime wrote: index directly.
  if (id - 1 < s->site_count && s->sites[id - 1].id == id)
    return canon[id - 1];
  const struct fr_site_info *si = fr_snapshot_site(s, id);
  return si ? canon[si - s->sites] : id;
}

int fr_analyze(const struct fr_snapshot *s, uint32_t top_blocked,
               struct fr_analysis *a) {
  memset(a, 0, sizeof(*a));
  a->top_blocked = top_blocked;
  a->first_ticks = UINT64_MAX;
  a->longest = calloc(top_blocked + 1, sizeof(*a->longest));
  const struct fr_chunk_view **order = fr_snapshot_chunks_in_order(s);
  uint32_t *canon = canonical_sites(s);
  struct replay r = {0};
  r.snapshot = s;
  uint32_t max_id = s->site_count ? s->sites[s->site_count - 1].id : 0;
  if (max_id < (1u << 24)) {
    a->func_by_site = malloc(((size_t)max_id + 1) * sizeof(uint32_t));
    if (a->func_by_site) {
      memset(a->func_by_site, 0xff, ((size_t)max_id + 1) * sizeof(uint32_t));
      a->func_by_site_count = max_id + 1;
    }
  }
  if (!a->longest || !order || !canon) {
    free(order);
    free(canon);
    return -1;
  }

  for (uint32_t i = 0; i < s->chunk_count; i++) {
    const struct fr_chunk_view *c = order[i];
    int new_thread = i == 0 || order[i - 1]->hdr.thread_index != c->hdr.thread_index;
    if (new_thread) {
      if (i > 0)
        close_thread(a, s, &r);
      if (fr_grow((void **)&a->threads, &a->thread_cap, a->thread_count + 1,
                  sizeof(*a->threads)))
        goto oom;
      r.thread = &a->threads[a->thread_count++];
      memset(r.thread, 0, sizeof(*r.thread));
      r.thread->index = c->hdr.thread_index;
      r.thread->first_ticks = UINT64_MAX;
    } else if (order[i - 1]->hdr.seq + 1 != c->hdr.seq) {
      a->gaps++; // a recycled chunk: what was open before it is unknown
      replay_reset(&r);
    }
    r.thread->tid = c->hdr.tid;
    memcpy(r.thread->name, c->hdr.thread_name, sizeof(r.thread->name));

    struct fr_cursor cur;
    fr_cursor_init(c, &cur);
    struct fr_event ev;
    int more;
    while ((more = fr_chunk_next(c, &cur, &ev)) == 1) {
      a->events++;
      r.exited = ev.event_class == FR_EV_EXT && ev.id == FR_EXT_THREAD_EXIT;
      a->unknown_events += ev.unknown;
      r.thread->events++;
      if (ev.ticks < r.thread->first_ticks)
        r.thread->first_ticks = ev.ticks;
      if (ev.ticks > r.thread->last_ticks)
        r.thread->last_ticks = ev.ticks;
      if (ev.ticks < a->first_ticks)
        a->first_ticks = ev.ticks;
      if (ev.ticks > a->last_ticks)
        a->last_ticks = ev.ticks;
      if (ev.event_class != FR_EV_EXT)
        ev.id = canonical_id(s, canon, ev.id);
      switch (ev.event_class) {
      case FR_EV_ENTER:
        if (r.depth == r.stack_cap &&
            fr_grow((void **)&r.stack, &r.stack_cap, r.depth + 1,
                    sizeof(*r.stack)))
          goto oom;
        r.stack[r.depth++] = (struct frame){ev.id, ev.ticks, 0};
        fr_open_add(&r.open_frames, ev.id, 1);
        break;
      case FR_EV_EXIT:
        on_exit_event(a, &r, &ev);
        break;
      case FR_EV_SITE:
        on_site_event(a, s, &r, &ev);
        break;
      case FR_EV_EXT:
        if (ev.id == FR_EXT_LOST || ev.id == FR_EXT_DROPPED) {
          // The stack stays: dropped events are most often a signal
          // handler's, nested and whole; an exit that no longer matches
          // is repaired where it comes, as after a longjmp.
          a->gaps++;
          r.thread->dropped += ev.arg;
          if (ev.id == FR_EXT_LOST) {
            a->dropped.unknown += ev.arg;
          } else {
            a->dropped.reentrant += ev.field[0];
            a->dropped.no_space += ev.field[1];
          }
        } else if (ev.id == FR_EXT_RESUMED) {
          on_resume_event(a, &r, &ev, canonical_id(s, canon, (uint32_t)ev.arg));
        } else if (ev.id == FR_EXT_MUTED || ev.id == FR_EXT_REARMED) {
          if (on_budget_event(a, &ev, c->hdr.thread_index) != 0)
            goto oom;
        } else if (ev.id == FR_EXT_COUNTED || ev.id == FR_EXT_SLOW_CALL) {
          ev.arg = canonical_id(s, canon, (uint32_t)ev.arg);
          on_counted_event(a, &r, &ev, c->hdr.thread_index);
        }
        break;
      }
    }
    if (more < 0) { // what follows a malformed event is unknown
      a->malformed_chunks++;
      replay_reset(&r);
    }
    fr_snapshot_release(s, c->events, c->hdr.event_bytes);
  }
  if (s->chunk_count)
    close_thread(a, s, &r);
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
  free(order);
  free(canon);
  free(r.stack);
  free(r.held);
  free(r.regions);
  fr_map_free(&r.open_frames);
  fr_map_free(&r.open_holds);
  fr_map_free(&r.open_regions);
  return 0;
oom:
  free(order);
  free(canon);
  free(r.stack);
  free(r.held);
  free(r.regions);
  fr_map_free(&r.open_frames);
  fr_map_free(&r.open_holds);
  fr_map_free(&r.open_regions);
  return -1;
}

void fr_analysis_free(struct fr_analysis *a) {
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
