// SPDX-License-Identifier: Apache-2.0
// fr_clock.c: calibration of the event clock against the system clocks.
//
// The tick rate is measured, not assumed: between the recorder's start and each
// snapshot, over at least 5 ms, so no sleep is needed at start-up.
//
// A counter that jumps back is caught up by raising fr_tick_offset
// (fr_clock_check), and the latest time a check saw is kept, so that an
// anchor read before any thread's slow path has noticed is caught up too.
//
// Concurrency: fr_tick_offset and fr_ticks_seen are changed by
// compare-and-swap and read relaxed, from any thread or signal handler;
// async-signal-safe (clock_gettime only), so the crash dump can call it.
#include "fr_clock.h"

#include <time.h>

uint64_t fr_tick_offset;
static uint64_t fr_ticks_seen; // the latest time fr_clock_check was given

uint64_t fr_clock_check(uint64_t last) {
  // Kept roughly (to a sixteenth of the threshold), so that the threads'
  // slow paths do not all write the line.
  uint64_t seen = __atomic_load_n(&fr_ticks_seen, __ATOMIC_RELAXED);
  while (seen + (FR_CLOCK_BACK_TICKS >> 4) < last &&
         !__atomic_compare_exchange_n(&fr_ticks_seen, &seen, last, 1,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
  for (;;) {
    uint64_t offset = __atomic_load_n(&fr_tick_offset, __ATOMIC_RELAXED);
    uint64_t now = fr_ticks();
    if (FR_TICKS_ARE_NS || now + FR_CLOCK_BACK_TICKS >= last)
      return now;
    if (__atomic_compare_exchange_n(&fr_tick_offset, &offset,
                                    offset + (last - now), 0, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED))
      return last;
  }
}

void fr_clock_simulate_jump_back(uint64_t ticks) {
  __atomic_fetch_sub(&fr_tick_offset, ticks, __ATOMIC_RELAXED);
}

static uint64_t fr_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void fr_clock_anchor_now(struct fr_clock_anchor *a) {
  fr_clock_check(__atomic_load_n(&fr_ticks_seen, __ATOMIC_RELAXED));
  // Bracket the monotonic read with two tick reads and keep the tightest of a
  // few tries: a preemption between the reads would skew the anchor.
  uint64_t best_gap = UINT64_MAX;
  for (int i = 0; i < 5; i++) {
    uint64_t t0 = fr_ticks();
    uint64_t mono = fr_ns(CLOCK_MONOTONIC);
    uint64_t t1 = fr_ticks();
    if (t1 - t0 < best_gap) {
      best_gap = t1 - t0;
      a->ticks = t0 + (t1 - t0) / 2;
      a->monotonic_ns = mono;
    }
  }
  uint64_t real = fr_ns(CLOCK_REALTIME);
  uint64_t mono_after = fr_ns(CLOCK_MONOTONIC);
  a->realtime_ns = real - (mono_after - a->monotonic_ns);
}

uint64_t fr_clock_tick_hz(const struct fr_clock_anchor *start,
                          struct fr_clock_anchor *end) {
  if (FR_TICKS_ARE_NS) {
    fr_clock_anchor_now(end);
    return 1000000000u;
  }
  const uint64_t min_span_ns = 5 * 1000 * 1000;
  for (;;) {
    fr_clock_anchor_now(end);
    uint64_t span = end->monotonic_ns - start->monotonic_ns;
    if (span >= min_span_ns)
      return (uint64_t)((double)(end->ticks - start->ticks) * 1e9 /
                        (double)span);
    struct timespec rest = {0, (long)(min_span_ns - span)};
    nanosleep(&rest, NULL);
  }
}
