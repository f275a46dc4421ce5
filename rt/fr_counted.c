// SPDX-License-Identifier: Apache-2.0
// fr_counted.c: the counted tier: functions the overhead budget muted whose
// calls are still counted, per thread, and whose slow calls are still
// recorded, with their exact start and duration.
//
// Between recording every event of a function and muting it outright (a
// load and a branch), the budget can put a function whose rate is moderate
// into this tier (fr_budget.c chooses by rate): its hooks are still called,
// but go out of line to fr_count_call (fr_counted.h), which adds one to the
// thread's count for the site and reads the CPU's clock at entry and exit,
// as recording would, but writes nothing for a short call. The counts go
// into the thread's chunk as FR_EXT_COUNTED events (every
// FR_COUNT_FLUSH_CALLS calls, at each of the budget's probes, at the
// thread's exit and before it takes a snapshot), so a snapshot says how
// many calls of each muted site each thread made in the window; a call
// longer than FR_SLOW_CALL_NS is recorded as FR_EXT_SLOW_CALL, with its
// duration, at its end.
//
// At most FR_COUNTED_SLOTS sites are counted at a time, process-wide: the
// hooks find a counted site by scanning that many ids, and each thread keeps
// one pending count per slot in its fr_tls.
//
// Concurrency: fr_counted_sites and fr_detour_mask are written under the
// site registry's lock (fr_sites.c calls in here when it mutes, re-arms or
// arms; the budget sets and sums the slots' rates with it held) and read
// relaxed by the hooks: a hook that sees a site a moment late
// records or counts one call more or less. A thread's pending counts and its
// timed-call stack are its own, touched with fr_tls.busy set, as every hook
// does; a signal handler's counted call inside a hook is not counted.
#include "fr_counted.h"

uint32_t fr_counted_sites[FR_COUNTED_SLOTS];
uint64_t fr_detour_mask;
// What each counted site was judged to cost (events per tick) when the
// budget last chose to count it: the budget keeps the counted sites
// together, not each, under their share of it (fr_budget.c).
static double fr_counted_rates[FR_COUNTED_SLOTS];

// ---- The counted sites (with the registry's lock held) ----------------------

static void fr_detour_mask_update(void) {
  uint64_t mask = __atomic_load_n(&fr_watch_mask, __ATOMIC_RELAXED);
  for (uint32_t i = 0; i < FR_COUNTED_SLOTS; i++) {
    uint32_t site = fr_counted_sites[i];
    if (site)
      mask |= 1ull << (site & 63);
  }
  __atomic_store_n(&fr_detour_mask, mask, __ATOMIC_RELEASE);
}

int fr_counted_add(uint32_t site) {
  for (uint32_t i = 0; i < FR_COUNTED_SLOTS; i++) {
    if (fr_counted_sites[i])
      continue;
    __atomic_store_n(&fr_counted_sites[i], site, __ATOMIC_RELAXED);
    fr_detour_mask_update();
    return 1;
  }
  return 0;
}

void fr_counted_remove(uint32_t site) {
  for (uint32_t i = 0; i < FR_COUNTED_SLOTS; i++)
    if (fr_counted_sites[i] == site) {
      __atomic_store_n(&fr_counted_sites[i], 0, __ATOMIC_RELAXED);
      fr_counted_rates[i] = 0;
    }
  fr_detour_mask_update();
}

void fr_counted_clear(void) {
  for (uint32_t i = 0; i < FR_COUNTED_SLOTS; i++) {
    __atomic_store_n(&fr_counted_sites[i], 0, __ATOMIC_RELAXED);
    fr_counted_rates[i] = 0;
  }
  fr_detour_mask_update();
}

void fr_counted_set_rate(uint32_t site, double rate) {
  for (uint32_t i = 0; i < FR_COUNTED_SLOTS; i++)
    if (fr_counted_sites[i] == site)
      fr_counted_rates[i] = rate;
}

double fr_counted_rate_besides(uint32_t site) {
  double total = 0;
  for (uint32_t i = 0; i < FR_COUNTED_SLOTS; i++)
    if (fr_counted_sites[i] && fr_counted_sites[i] != site)
      total += fr_counted_rates[i];
  return total;
}

// ---- Writing counts and slow calls (the thread's busy mark set) ------------

// Room for the thread's next event, or NULL (then what it would say is lost).
static uint8_t *fr_counted_room(struct fr_tls *t) {
  uint8_t *p = t->pos;
  if (FR_UNLIKELY(!p || p >= __atomic_load_n(&t->limit, __ATOMIC_RELAXED)))
    p = fr_thread_slow_reserve(t, 0);
  return p;
}

// An FR_EXT_COUNTED or FR_EXT_SLOW_CALL event at p, stamped now (0: read the
// clock), published.
static void fr_put_counted_event(struct fr_tls *t, uint8_t *p, uint32_t kind,
                                 uint32_t site, uint64_t value, uint64_t now) {
  uint64_t stamped;
  p = now ? fr_put_stamped_at(t, p, fr_event_tag(kind, FR_EV_EXT), now,
                              &stamped)
          : fr_put_stamped(t, p, fr_event_tag(kind, FR_EV_EXT), &stamped);
  p = fr_put_sized_pair(p, site, value);
  __atomic_store_n(&t->pos, p, __ATOMIC_RELEASE);
}

FR_HOOK_CC void fr_counted_flush_slot(struct fr_tls *t, uint32_t slot) {
  if (!t->counted_calls[slot])
    return;
  // Read after the room is found: a new chunk writes every pending count
  // itself, or forgets them all (the first chunk of a new window).
  uint8_t *p = fr_counted_room(t);
  uint32_t calls = t->counted_calls[slot];
  t->counted_calls[slot] = 0;
  if (p && calls) {
    fr_put_counted_event(t, p, FR_EXT_COUNTED, t->counted_site[slot], calls, 0);
    t->counted_unbilled += calls;
    // The budget looks at a thread when its bytes reach a probe, a quarter
    // chunk on; a count is a few bytes for FR_COUNT_FLUSH_CALLS calls, so a
    // thread that does little but call a counted function would reach it
    // only after millions of calls (on speedtest1, 70,000 calls of one
    // function counted in 90 ms at a budget that allowed 600 a second). Its
    // counted calls bring the probe in, as many events' bytes would.
    if (t->counted_unbilled >= FR_COUNT_FLUSH_CALLS)
      fr_thread_probe_soon(t);
  }
}

void fr_counted_flush_own(void) {
  struct fr_tls *t = &fr_tls;
  if (t->state != FR_TLS_LIVE || fr_busy_holds(t))
    return; // no counts, or inside a hook (a signal handler's snapshot)
  t->busy = fr_busy_mark();
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  for (uint32_t i = 0; i < FR_COUNTED_SLOTS; i++)
    fr_counted_flush_slot(t, i);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  t->busy = 0;
}

void fr_counted_forget(struct fr_tls *t) {
  for (uint32_t i = 0; i < FR_COUNTED_SLOTS; i++)
    t->counted_calls[i] = 0;
  t->counted_unbilled = 0;
}

uint8_t *fr_counted_put_pending(struct fr_tls *t, uint8_t *p) {
  for (uint32_t i = 0; i < FR_COUNTED_SLOTS; i++) {
    uint32_t calls = t->counted_calls[i];
    if (!calls)
      continue;
    t->counted_calls[i] = 0;
    t->counted_unbilled += calls;
    p = fr_put_event(p, fr_event_tag(FR_EXT_COUNTED, FR_EV_EXT), 0);
    p = fr_put_sized_pair(p, t->counted_site[i], calls);
  }
  return p;
}

// The call of site that began at since ends now, longer than the threshold:
// recorded at its end, with its duration.
FR_HOOK_CC void fr_counted_put_slow(struct fr_tls *t, uint32_t site,
                                    uint64_t since, uint64_t now) {
  uint8_t *p = fr_counted_room(t);
  if (!p)
    return;
  if (now < t->last_ticks) // a migration to a core whose counter lags
    now = t->last_ticks;
  fr_put_counted_event(t, p, FR_EXT_SLOW_CALL, site, now - since, now);
}

// ---- The timed-call stack's rare cases -------------------------------------

FR_HOOK_CC void fr_timed_push_full(struct fr_tls *t) {
  t->watch_overflow++; // deeper than tracked: counted in depth only
}

FR_HOOK_CC void fr_timed_pop_slow(struct fr_tls *t, uint32_t site,
                                  uint64_t *since, int *found) {
  *found = 0;
  if (t->watch_overflow) { // one of the untracked calls
    t->watch_overflow--;
    return;
  }
  for (uint32_t i = t->watch_depth; i-- > 0;) {
    if (t->watch_site[i] != site)
      continue;
    t->watch_depth = i; // and the calls above it, whose exits never ran
    *since = t->watch_since[i];
    *found = 1;
    return;
  }
  // Not on the stack: its entry came before its site was timed.
}

void fr_timed_resume(struct fr_tls *t, uint32_t site, uintptr_t sp) {
  uint32_t d = t->watch_depth;
  t->watch_overflow = 0; // deeper than every tracked call: left
  for (uint32_t i = d; i-- > 0;) {
    if (t->watch_site[i] == site) { // the frame it is back at is timed
      t->watch_depth = i + 1;
      return;
    }
  }
  while (d && t->watch_sp[d - 1] < sp)
    d--;
  t->watch_depth = d;
}
