// The CPU's counter jumps back (a VM restored or moved; this project's CI
// VMs boot with tsc=unstable, and one CI run's snapshot had every event of
// 1.6 s at the recorder's start). The writers keep a thread's events in
// order by giving an event that seems earlier than the last the same time,
// so before, every event after the jump had the time of the last one
// before it, until the counter caught up: here spin(), a 50 ms call after a
// jump of 10^10 ticks (seconds), was 0 ns long. The recorder now notices at
// the thread's next slow path and raises its offset: the calls made before
// that (up to a chunk of events) have no duration, those after it theirs.
// The jump is simulated through the runtime's test seam
// (fr_clock_simulate_jump_back), which moves the recorder's clock as the
// counter would.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=off %t
// RUN: %frtool validate %t.fr | FileCheck %s --check-prefix=VALID
// RUN: %frtool summary %t.fr | FileCheck %s
#include "fr.h"

#include <stdint.h>
#include <time.h>

#include "Inputs/now_ns.h"

void fr_clock_simulate_jump_back(uint64_t ticks); // rt/fr_clock.h

static volatile uint64_t sink;

FR_ALWAYS_INSTRUMENT void spin(int ms) {
  uint64_t until = now_ns() + (uint64_t)ms * 1000 * 1000;
  while (now_ns() < until)
    sink++;
}

FR_ALWAYS_INSTRUMENT void tick(void) { sink++; }

int main(void) {
  spin(20);
  fr_clock_simulate_jump_back(10000000000ull);
  // More than a chunk of events: the thread reaches its slow path.
  for (int i = 0; i < 40000; i++)
    tick();
  spin(50);
  return 0;
}

// VALID: valid
// Both calls of spin() with their time: 20 ms and 50 ms (before: 20 ms and
// 0 ns).
// CHECK: functions
// CHECK: {{^ +}}2 {{.*}} {{[4-9][0-9]\.[0-9]+ms|[0-9.]+s}}  spin {{.*}}clock-jump.c
