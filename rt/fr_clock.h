// SPDX-License-Identifier: Apache-2.0
// fr_clock.h: the event clock: the CPU's cycle counter where it is cheap and
// constant-rate, CLOCK_MONOTONIC in nanoseconds elsewhere.
//
// Concurrency: any thread, any signal handler; the one state, the offset a
// counter that went back is caught up by, is changed by compare-and-swap
// (fr_clock.c) and read relaxed.
#ifndef FR_CLOCK_H
#define FR_CLOCK_H

#include <stdint.h>

// What the counter lost each time it went back (fr_clock_check): added to
// it, so that the recorder's clock does not stop when the CPU's counter jumps
// back, as a VM's can when it is restored or moved (this project's CI VMs
// boot with tsc=unstable; one run's snapshot had every event of 1.6 s at
// the recorder's start). 0 on a sane machine: one more load an event, of a
// line no one writes.
extern uint64_t fr_tick_offset __attribute__((visibility("hidden")));

#if defined(__x86_64__) || defined(__i386__)
// rdtsc, not rdtscp: no serialisation is wanted, only a cheap stamp (about 8 ns
// on this project's VMs, and the floor every other hot-path cost is held to).
static inline uint64_t fr_ticks(void) {
  return __builtin_ia32_rdtsc() +
         __atomic_load_n(&fr_tick_offset, __ATOMIC_RELAXED);
}
#define FR_TICKS_ARE_NS 0
#elif defined(__aarch64__)
static inline uint64_t fr_ticks(void) {
  uint64_t v;
  __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
  return v + __atomic_load_n(&fr_tick_offset, __ATOMIC_RELAXED);
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

// A jump back of the counter smaller than this (about 6 ms at 2.7 GHz) is
// left to the writers, which keep each thread's events in order by giving
// an event that seems earlier than the thread's last one the same time: the
// skew between cores is far smaller.
#define FR_CLOCK_BACK_TICKS (1ull << 24)
// Called by the slow path with the thread's last event time: when the clock
// is now further behind it than FR_CLOCK_BACK_TICKS, raises fr_tick_offset
// so that it is not (one thread does, the others then find it caught up).
// Returns the clock now.
uint64_t fr_clock_check(uint64_t last);
// Test seam: moves the clock back by ticks, as a restored VM's counter.
void fr_clock_simulate_jump_back(uint64_t ticks);
// Ticks per second between two anchors; waits (async-signal-safely) until they
// are at least 5 ms apart so the ratio is good to a few parts per million.
uint64_t fr_clock_tick_hz(const struct fr_clock_anchor *start,
                          struct fr_clock_anchor *end);

#endif // FR_CLOCK_H
