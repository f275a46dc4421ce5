// SPDX-License-Identifier: Apache-2.0
// fr_budget.c: the overhead budget: a thread that records more events per
// second than its share of time allows has its hottest sites muted.
//
// Recording costs about FR_EVENT_COST_NS per event, so a budget of b percent
// of a thread's time is one event per FR_EVENT_COST_NS * 100 / b ns at most
// (1%: a million events a second). The check costs the hot path nothing: it
// runs in the slow path, when a thread has filled a quarter of its chunk
// (fr_thread.c sets the hot path's limit there) or all of it, and compares
// the chunk's event count so far with its time span. Every event takes two
// bytes or more, so most chunks are shown to be under budget by their length
// alone, or by the density of its last count; the others are read back,
// their events counted per site, and the sites with the most events muted,
// hottest first, until what is left is half the budget.
// The same idea as XRay unpatching a hot function, decided at run time by a
// rate rather than by hand: one byte per site, the guard the inserted code
// already tests (fr_sites.c), so a muted function costs what it costs while
// the recorder is stopped. A lock site keeps its contended waits and a
// blocking site its calls longer than FR_SLOW_CALL_NS (FR_GUARD_SLOW), which
// is what a flight recorder is for. A site stays muted until the next start;
// the next chunk of the thread that muted it holds an FR_EXT_MUTED event
// with the site and its rate, and the site's record in every later snapshot
// has FR_SITE_MUTED.
//
// Concurrency: fr_budget_check runs on a writer thread in its slow path
// (fr_tls.busy set), before it takes fr_state.lock. The per-site counts are
// one static table claimed with an atomic flag: a thread that finds it taken
// skips its check (its next chunk is checked again). Muting takes the site
// registry's lock with a try for the same reason: a hook never waits for a
// snapshot. The budget's parameters are set under fr_state.lock and read
// relaxed.
#include "fr_internal.h"

#include <string.h>

#define FR_BUDGET_SLOTS 4096u // distinct sites counted per chunk (a power of 2)

struct fr_site_count {
  uint32_t site; // 0: free
  uint32_t count;
};

static struct fr_site_count fr_budget_counts[FR_BUDGET_SLOTS];
static uint32_t fr_budget_used[FR_BUDGET_SLOTS]; // slots to clear afterwards
static uint32_t fr_slots_used;
static int fr_budget_claimed;

// A fork child: the thread that held the counting table (if any) is gone.
void fr_budget_after_fork_child(void) { fr_budget_claimed = 0; }

static double fr_budget_fraction; // of a thread's time; 0: no budget
static uint64_t fr_budget_ticks_per_event; // 0: no budget, or not calibrated
static uint64_t fr_budget_hz;
uint64_t fr_slow_call_ticks = UINT64_MAX;

void fr_budget_start(const fr_config *cfg) {
  double percent = cfg->budget_percent;
  fr_budget_fraction = percent > 0 && percent < 100 ? percent / 100 : 0;
  __atomic_store_n(&fr_budget_ticks_per_event, 0, __ATOMIC_RELAXED);
}

void fr_budget_calibrate(double tick_hz) {
  if (fr_budget_fraction <= 0 || tick_hz <= 0)
    return;
  __atomic_store_n(&fr_slow_call_ticks,
                   (uint64_t)(tick_hz * FR_SLOW_CALL_NS * 1e-9),
                   __ATOMIC_RELAXED);
  double per_event = tick_hz * FR_EVENT_COST_NS * 1e-9 / fr_budget_fraction;
  __atomic_store_n(&fr_budget_hz, (uint64_t)tick_hz, __ATOMIC_RELAXED);
  __atomic_store_n(&fr_budget_ticks_per_event,
                   per_event < 1 ? 1 : (uint64_t)per_event, __ATOMIC_RELAXED);
}

int fr_budget_active(void) {
  return __atomic_load_n(&fr_budget_ticks_per_event, __ATOMIC_RELAXED) != 0;
}

static void fr_count_site(uint32_t site) {
  uint32_t slot = (site * 0x9e3779b1u) >> 20 & (FR_BUDGET_SLOTS - 1);
  for (;; slot = (slot + 1) & (FR_BUDGET_SLOTS - 1)) {
    struct fr_site_count *e = &fr_budget_counts[slot];
    if (e->site == site) {
      e->count++;
      return;
    }
    if (e->site)
      continue;
    if (fr_slots_used >= FR_BUDGET_SLOTS * 3 / 4)
      return; // full enough: a site this rare is not the one to mute
    e->site = site;
    e->count = 1;
    fr_budget_used[fr_slots_used++] = slot;
    return;
  }
}

// Counts the events of the chunk's first len bytes per site (through the
// reader's decoder, include/fr_codec.h); returns how many there were. Stops
// at anything it cannot read (it never should: the thread wrote them).
static uint64_t fr_count_events(const uint8_t *events, uint32_t len) {
  uint64_t count = 0;
  struct fr_cursor cur;
  struct fr_event ev;
  fr_cursor_start(&cur, 0);
  while (fr_decode_next(events, len, &cur, &ev) == 1) {
    count++;
    if (ev.event_class != FR_EV_EXT)
      fr_count_site(ev.id);
  }
  return count;
}

uint32_t fr_budget_check(struct fr_tls *t,
                         struct fr_muted_site out[FR_BUDGET_MAX_MUTES]) {
  uint64_t per_event =
      __atomic_load_n(&fr_budget_ticks_per_event, __ATOMIC_RELAXED);
  const struct fr_chunk *c = t->chunk;
  if (!per_event || !c || !t->pos)
    return 0;
  uint64_t span = t->last_ticks - c->hdr.base_ticks;
  uint64_t bytes = (uint64_t)(t->pos - c->data);
  if (bytes / 2 * per_event <= span)
    return 0; // under budget even if every event took two bytes
  // A thread that keeps close to its budget would have every chunk counted:
  // estimate its events from the density of its last count instead, while
  // that says under 80% of the budget, counting again every 8th chunk in
  // case the density changed.
  if (t->budget_density && t->budget_estimated < 8 &&
      bytes * 256 / t->budget_density * per_event * 5 / 4 <= span) {
    t->budget_estimated++;
    return 0;
  }
  if (__atomic_exchange_n(&fr_budget_claimed, 1, __ATOMIC_ACQUIRE))
    return 0;
  uint32_t muted = 0;
  uint64_t events = fr_count_events(c->data, (uint32_t)(t->pos - c->data));
  t->budget_density = events ? (uint32_t)(bytes * 256 / events) : 0;
  t->budget_estimated = 0;
  if (events * per_event > span && fr_sites_try_lock()) {
    // Down to half the budget: a thread left just under it would have its
    // next chunks counted, and the next hot site would put it over again.
    uint64_t excess = events - span / per_event / 2;
    uint64_t hz = __atomic_load_n(&fr_budget_hz, __ATOMIC_RELAXED);
    while (excess && muted < FR_BUDGET_MAX_MUTES) {
      struct fr_site_count *hottest = NULL;
      for (uint32_t i = 0; i < fr_slots_used; i++) {
        struct fr_site_count *e = &fr_budget_counts[fr_budget_used[i]];
        if (e->count && (!hottest || e->count > hottest->count))
          hottest = e;
      }
      if (!hottest)
        break;
      // A site muted already (by another thread, or a lock's contended
      // waits) has done all muting can do for it.
      if (fr_sites_mute(hottest->site)) {
        out[muted].site = hottest->site;
        out[muted].per_second =
            span ? (uint64_t)((double)hottest->count * (double)hz / (double)span)
                 : 0;
        muted++;
      }
      excess -= hottest->count < excess ? hottest->count : excess;
      hottest->count = 0;
    }
    fr_sites_unlock();
  }
  for (uint32_t i = 0; i < fr_slots_used; i++)
    fr_budget_counts[fr_budget_used[i]] = (struct fr_site_count){0, 0};
  fr_slots_used = 0;
  __atomic_store_n(&fr_budget_claimed, 0, __ATOMIC_RELEASE);
  return muted;
}
