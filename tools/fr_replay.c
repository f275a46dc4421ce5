// SPDX-License-Identifier: Apache-2.0
// fr_replay.c: the one replay of a snapshot's events (see fr_replay.h).
//
// Each run of a thread's consecutive chunks is read twice: a pre-scan finds
// the items already open when the run begins (their ends come without a
// beginning) and the slow calls of counted sites (whose events come where
// they end), and tells the sinks' `scan`; the replay then begins those
// items at the run's first event and the slow calls where they began, so
// that every sink sees begins and ends properly nested.
#include "fr_replay.h"
#include "fr_stats.h"

#include <stdlib.h>
#include <string.h>

// Where an early item or a slow call begins in a run.
struct slow_call {
  uint64_t begin;
  uint32_t site;
};

struct run {
  uint32_t from, to; // chunks [from, to) of the order
  uint32_t early_at, early_count;
  uint32_t slow_at, slow_count;
  int malformed; // its last chunk has a malformed event
};

struct replay {
  const struct fr_snapshot *s;
  const struct fr_replay_sink *sinks;
  unsigned sink_count;
  struct fr_replay_stats *stats;
  const struct fr_chunk_view **order;
  uint32_t *canon; // canonical id of s->sites[i]
  struct fr_replay_item *stack;
  uint32_t depth, stack_cap;
  struct fr_counts open; // how many of each (kind, site) the stack holds
  struct fr_counts scan_open; // the same for the pre-scan's stack
  // Sites the budget muted in the window: their FR_EXT_MUTED events, all
  // read by the pre-scan before anything is replayed.
  struct fr_map muted;
  struct fr_replay_item *early; // every run's, outermost first
  uint32_t early_count, early_cap;
  struct slow_call *slow; // every run's, by when each began
  uint32_t slow_count, slow_cap;
  struct run *runs;
  uint32_t run_count, run_cap;
};

#define EACH_SINK(r, member, ...)                                              \
  for (unsigned k_ = 0; k_ < (r)->sink_count; k_++)                            \
    if ((r)->sinks[k_].member)                                                 \
  (r)->sinks[k_].member((r)->sinks[k_].ctx, ##__VA_ARGS__)

// ---- Site identity -----------------------------------------------------------

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

static uint32_t canonical_id(const struct replay *r, uint32_t id) {
  const struct fr_snapshot *s = r->s;
  // Ids are dense from 1 in a snapshot the runtime wrote: index directly.
  if (id - 1 < s->site_count && s->sites[id - 1].id == id)
    return r->canon[id - 1];
  const struct fr_site_info *si = fr_snapshot_site(s, id);
  return si ? r->canon[si - s->sites] : id;
}

// The next event of a chunk, its sites canonical: 1, 0 at the end, -1 at a
// malformed event.
static int next_event(const struct replay *r, const struct fr_chunk_view *c,
                      struct fr_cursor *cur, struct fr_event *ev) {
  int more = fr_chunk_next(c, cur, ev);
  if (more != 1)
    return more;
  if (ev->event_class != FR_EV_EXT)
    ev->id = canonical_id(r, ev->id);
  else if (ev->id == FR_EXT_RESUMED || ev->id == FR_EXT_COUNTED ||
           ev->id == FR_EXT_SLOW_CALL)
    ev->arg = canonical_id(r, (uint32_t)ev->arg);
  return 1;
}

// ---- Pairing -----------------------------------------------------------------

int fr_replay_classify(const struct fr_event *ev, uint32_t *kind) {
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

static uint64_t open_key(uint32_t kind, uint32_t site) {
  return (uint64_t)site * 16 + kind + 1;
}

// The innermost open item of (kind, site) in stack[0..depth); -1 if none.
// counts says how many of each are open, so an end that matches none costs
// no search (hostile input can make a million unmatched ends).
static int find_open(const struct fr_replay_item *stack, uint32_t depth,
                     uint32_t kind, uint32_t site, struct fr_counts *counts) {
  if (!fr_counts_get(counts, open_key(kind, site)))
    return -1;
  for (uint32_t i = depth; i-- > 0;)
    if (stack[i].kind == kind && stack[i].site == site)
      return (int)i;
  return -1;
}

// How many open items stay when the stack is back at a frame of site
// (FR_EXT_RESUMED): those up to its innermost open frame; none when it has
// no open frame (it began before them all).
static uint32_t resumed_depth(const struct fr_replay_item *stack,
                              uint32_t depth, uint32_t site,
                              struct fr_counts *counts) {
  int at = find_open(stack, depth, ITEM_FUNCTION, site, counts);
  return at < 0 ? 0 : (uint32_t)at + 1;
}

static int push(struct replay *r, const struct fr_replay_item *it) {
  if (r->depth == r->stack_cap &&
      fr_grow((void **)&r->stack, &r->stack_cap, r->depth + 1,
              sizeof(*r->stack)))
    return -1;
  r->stack[r->depth] = *it;
  fr_counts_add(&r->open, open_key(it->kind, it->site), 1);
  EACH_SINK(r, begin, &r->stack[r->depth], r->depth);
  r->depth++;
  return 0;
}

static void end_top(struct replay *r, uint64_t ticks, enum fr_replay_end how,
                    const struct fr_event *ev) {
  const struct fr_replay_item *it = &r->stack[r->depth - 1];
  EACH_SINK(r, end, it, ticks, how, ev);
  fr_counts_add(&r->open, open_key(it->kind, it->site), -1);
  r->depth--;
}

// Was site (canonical) muted at some time in the window: its record says
// so (muted at the snapshot), or a thread's chunk has its FR_EXT_MUTED.
static int site_muted(struct replay *r, uint32_t site) {
  const struct fr_site_info *si = fr_snapshot_site(r->s, site);
  return si && ((si->flags & FR_SITE_MUTED) || fr_open_count(&r->muted, si->id));
}

static void end_above(struct replay *r, uint32_t keep, uint64_t ticks) {
  while (r->depth > keep) {
    const struct fr_replay_item *it = &r->stack[r->depth - 1];
    end_top(r, ticks,
            it->kind == ITEM_FUNCTION && !it->slow && site_muted(r, it->site)
                ? FR_REPLAY_MUTED
                : FR_REPLAY_UNWOUND,
            NULL);
  }
}

static int slow_call_order(const void *a, const void *b) {
  const struct slow_call *x = a, *y = b;
  return x->begin < y->begin ? -1 : x->begin > y->begin;
}

// ---- The pre-scan --------------------------------------------------------------

// The pre-scan's stack without the items above keep; returns keep.
static uint32_t scan_pop(const struct fr_replay_item *open, uint32_t depth,
                         uint32_t keep, struct fr_counts *counts) {
  for (; depth > keep; depth--)
    fr_counts_add(counts, open_key(open[depth - 1].kind, open[depth - 1].site),
                  -1);
  return keep;
}

// Scans the run of chunks beginning at run->from: where it ends (a missing
// chunk, another thread, a malformed event), the items open when it begins
// (appended to r->early, outermost first) and its slow calls (to r->slow).
static int scan_run(struct replay *r, struct run *run) {
  struct fr_replay_item *open = NULL;
  uint32_t depth = 0, open_cap = 0;
  struct fr_counts *counts = &r->scan_open;
  const struct fr_chunk_view *const *order = r->order;
  int failed = 0;
  run->early_at = r->early_count;
  run->slow_at = r->slow_count;
  uint32_t i = run->from;
  for (;; i++) {
    const struct fr_chunk_view *c = order[i];
    uint32_t thread = c->hdr.thread_index;
    struct fr_cursor cur;
    struct fr_event ev;
    int more = 0;
    fr_cursor_init(c, &cur);
    while (!failed && (more = next_event(r, c, &cur, &ev)) == 1) {
      EACH_SINK(r, scan, thread, &ev);
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_SLOW_CALL) {
        if (fr_grow((void **)&r->slow, &r->slow_cap, r->slow_count + 1,
                    sizeof(*r->slow))) {
          failed = 1;
          break;
        }
        uint64_t began = ev.ticks > ev.field[0] ? ev.ticks - ev.field[0] : 0;
        r->slow[r->slow_count++] = (struct slow_call){began, (uint32_t)ev.arg};
        continue;
      }
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_MUTED) {
        fr_open_add(&r->muted, (uint32_t)ev.arg, 1);
        continue;
      }
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_RESUMED) {
        depth = scan_pop(open, depth,
                         resumed_depth(open, depth, (uint32_t)ev.arg, counts),
                         counts);
        continue;
      }
      uint32_t kind;
      int dir = fr_replay_classify(&ev, &kind);
      if (dir > 0) {
        if (depth == open_cap &&
            fr_grow((void **)&open, &open_cap, depth + 1, sizeof(*open))) {
          failed = 1;
          break;
        }
        open[depth++] = (struct fr_replay_item){.kind = kind, .site = ev.id};
        fr_counts_add(counts, open_key(kind, ev.id), 1);
      } else if (dir < 0) {
        int at = find_open(open, depth, kind, ev.id, counts);
        if (at >= 0) {
          depth = scan_pop(open, depth, (uint32_t)at, counts);
        } else if (depth == 0) {
          // Ended without a beginning, with nothing of ours open: it was
          // open (around everything so far) when the window began.
          if (fr_grow((void **)&r->early, &r->early_cap, r->early_count + 1,
                      sizeof(*r->early))) {
            failed = 1;
            break;
          }
          r->early[r->early_count++] =
              (struct fr_replay_item){.kind = kind, .site = ev.id, .early = 1};
        }
      }
    }
    fr_snapshot_release(r->s, c->events, c->hdr.event_bytes);
    if (failed)
      break;
    run->malformed = more < 0;
    if (run->malformed || i + 1 >= r->s->chunk_count ||
        order[i + 1]->hdr.thread_index != thread ||
        order[i + 1]->hdr.seq != c->hdr.seq + 1)
      break;
  }
  run->to = i + 1;
  scan_pop(open, depth, 0, counts); // the counts start at 0 for the next run
  free(open);
  if (failed)
    return -1;
  run->slow_count = r->slow_count - run->slow_at;
  if (run->slow_count) // nested ones end innermost first
    fr_sort(r->slow + run->slow_at, run->slow_count, sizeof(*r->slow),
            slow_call_order);
  // Collected innermost first; they are opened outermost first.
  run->early_count = r->early_count - run->early_at;
  struct fr_replay_item *e = run->early_count ? r->early + run->early_at : NULL;
  for (uint32_t k = 0; k < run->early_count / 2; k++) {
    struct fr_replay_item t = e[k];
    e[k] = e[run->early_count - 1 - k];
    e[run->early_count - 1 - k] = t;
  }
  return 0;
}

// ---- The replay ------------------------------------------------------------------

// Replays one run; newest: it is its thread's newest, whose open items (a
// thread blocked in a call when the snapshot was taken) last until the
// snapshot, unless the thread exited. Sets *exited when it did.
static int replay_run(struct replay *r, const struct run *run, int newest,
                      int *exited) {
  const struct fr_replay_item *early =
      run->early_count ? r->early + run->early_at : NULL;
  const struct slow_call *slow = run->slow_count ? r->slow + run->slow_at : NULL;
  uint32_t slow_begun = 0;
  uint64_t last = 0;
  int started = 0;
  *exited = 0;
  for (uint32_t i = run->from; i < run->to; i++) {
    const struct fr_chunk_view *c = r->order[i];
    EACH_SINK(r, chunk, c,
              i == run->from && i > 0 &&
                  r->order[i - 1]->hdr.thread_index == c->hdr.thread_index);
    struct fr_cursor cur;
    struct fr_event ev;
    fr_cursor_init(c, &cur);
    int more;
    while ((more = next_event(r, c, &cur, &ev)) == 1) {
      r->stats->unknown_events += ev.unknown;
      EACH_SINK(r, event, &ev);
      if (!started) {
        started = 1;
        for (uint32_t k = 0; k < run->early_count; k++) {
          struct fr_replay_item it = early[k];
          it.begin = ev.ticks;
          if (push(r, &it))
            return -1;
        }
      }
      // A slow call of a counted site began after the thread's event
      // before it (its writer made sure) and before this one, or with it
      // when this is its end (a call of no length: only a damaged file).
      int slow_end = ev.event_class == FR_EV_EXT && ev.id == FR_EXT_SLOW_CALL;
      while (slow_begun < run->slow_count &&
             (slow[slow_begun].begin < ev.ticks ||
              (slow_end && slow[slow_begun].begin == ev.ticks))) {
        struct fr_replay_item it = {.kind = ITEM_FUNCTION,
                                    .site = slow[slow_begun].site,
                                    .begin = slow[slow_begun].begin,
                                    .slow = 1};
        if (push(r, &it))
          return -1;
        slow_begun++;
      }
      last = ev.ticks;
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_THREAD_EXIT)
        *exited = 1;
      if (slow_end) {
        int at = find_open(r->stack, r->depth, ITEM_FUNCTION, (uint32_t)ev.arg,
                           &r->open);
        if (at < 0) {
          EACH_SINK(r, unmatched, ITEM_FUNCTION, &ev);
          continue;
        }
        end_above(r, (uint32_t)at + 1, ev.ticks);
        end_top(r, ev.ticks, FR_REPLAY_ENDED, &ev);
        continue;
      }
      if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_RESUMED) {
        // Frames an unwinder or a longjmp left without an exit end here.
        EACH_SINK(r, other, &ev);
        end_above(r, resumed_depth(r->stack, r->depth, (uint32_t)ev.arg, &r->open),
                  ev.ticks);
        continue;
      }
      uint32_t kind;
      int dir = fr_replay_classify(&ev, &kind);
      if (dir > 0) {
        struct fr_replay_item it = {.kind = kind, .site = ev.id,
                                    .begin = ev.ticks,
                                    .nfields = ev.nfields < 2 ? ev.nfields : 2};
        for (uint32_t f = 0; f < it.nfields; f++)
          it.field[f] = ev.field[f];
        if (push(r, &it))
          return -1;
      } else if (dir < 0) {
        int at = find_open(r->stack, r->depth, kind, ev.id, &r->open);
        if (at < 0) {
          EACH_SINK(r, unmatched, kind, &ev);
          continue;
        }
        // Items above it were left without an end (longjmp): they end here.
        end_above(r, (uint32_t)at + 1, ev.ticks);
        end_top(r, ev.ticks, FR_REPLAY_ENDED, &ev);
      } else {
        EACH_SINK(r, other, &ev);
      }
    }
    if (more < 0)
      r->stats->malformed_chunks++; // what follows it is unknown
    fr_snapshot_release(r->s, c->events, c->hdr.event_bytes);
  }
  enum fr_replay_end how = FR_REPLAY_CUT;
  uint64_t end = last;
  if (newest && !run->malformed) {
    how = *exited ? FR_REPLAY_EXITED : FR_REPLAY_SNAPSHOT;
    if (!*exited && started && r->s->hdr.snapshot_ticks > end)
      end = r->s->hdr.snapshot_ticks;
  }
  while (r->depth) // still open where the run's events end
    end_top(r, end, how, NULL);
  return 0;
}

static void replay_free(struct replay *r) {
  free(r->order);
  free(r->canon);
  free(r->stack);
  free(r->early);
  free(r->slow);
  free(r->runs);
  fr_counts_free(&r->open);
  fr_counts_free(&r->scan_open);
  fr_map_free(&r->muted);
}

int fr_replay(const struct fr_snapshot *s, const struct fr_replay_sink *sinks,
              unsigned n, struct fr_replay_stats *stats) {
  struct fr_replay_stats ignored;
  struct replay r = {.s = s, .sinks = sinks, .sink_count = n,
                     .stats = stats ? stats : &ignored};
  memset(r.stats, 0, sizeof(*r.stats));
  r.order = fr_snapshot_chunks_in_order(s);
  r.canon = canonical_sites(s);
  // Count the open items of each (kind, site) in arrays when the site ids
  // are dense (hostile ids go to a map).
  uint64_t dense = (uint64_t)fr_snapshot_dense_ids(s) * 16;
  if (!r.order || !r.canon || fr_counts_init(&r.open, dense) ||
      fr_counts_init(&r.scan_open, dense))
    goto oom;
  for (uint32_t i = 0; i < s->chunk_count;) {
    if (fr_grow((void **)&r.runs, &r.run_cap, r.run_count + 1, sizeof(*r.runs)))
      goto oom;
    struct run *run = &r.runs[r.run_count++];
    *run = (struct run){.from = i};
    if (scan_run(&r, run))
      goto oom;
    i = run->to;
  }
  EACH_SINK(&r, scanned);
  for (uint32_t k = 0; k < r.run_count;) {
    uint32_t thread = r.order[r.runs[k].from]->hdr.thread_index, end = k;
    while (end < r.run_count &&
           r.order[r.runs[end].from]->hdr.thread_index == thread)
      end++;
    const struct fr_chunk_header *newest = &r.order[r.runs[end - 1].to - 1]->hdr;
    struct fr_replay_thread t = {
        .index = thread, .tid = newest->tid,
        .base_ticks = r.order[r.runs[k].from]->hdr.base_ticks};
    memcpy(t.name, newest->thread_name, sizeof(t.name));
    EACH_SINK(&r, thread_begin, &t);
    int exited = 0;
    for (; k < end; k++)
      if (replay_run(&r, &r.runs[k], k + 1 == end, &exited))
        goto oom;
    EACH_SINK(&r, thread_end, exited);
  }
  replay_free(&r);
  return 0;
oom:
  replay_free(&r);
  return -1;
}
