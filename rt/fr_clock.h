// SPDX-License-Identifier: Apache-2.0
// fr_clock.h: the event clock: the CPU's cycle counter where it is cheap and
// constant-rate, CLOCK_MONOTONIC in nanoseconds elsewhere.
//
// Concurrency: stateless; any thread, any signal handler.
#ifndef FR_CLOCK_H
#define FR_CLOCK_H

#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
// rdtsc, not rdtscp: no serialisation is wanted, only a cheap stamp (about 8 ns
// on this project's VMs, and the floor every other hot-path cost is held to).
static inline uint64_t fr_ticks(void) { return __builtin_ia32_rdtsc(); }
#define FR_TICKS_ARE_NS 0
#elif defined(__aarch64__)
static inline uint64_t fr_ticks(void) {
  uint64_t v;
  __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
  return v;
}
#define FR_TICKS_ARE_NS 0
#else
#include <time.h>
static inline uint64_t fr_ticks(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#define FR_TICKS_ARE_NS 1
#endif

// A (ticks, CLOCK_MONOTONIC, CLOCK_REALTIME) triple read as close together as
// the machine allows.
struct fr_clock_anchor {
  uint64_t ticks;
  uint64_t monotonic_ns;
  uint64_t realtime_ns;
};

void fr_clock_anchor_now(struct fr_clock_anchor *a);
// Ticks per second between two anchors; waits (async-signal-safely) until they
// are at least 5 ms apart so the ratio is good to a few parts per million.
uint64_t fr_clock_tick_hz(const struct fr_clock_anchor *start,
                          struct fr_clock_anchor *end);

#endif // FR_CLOCK_H
