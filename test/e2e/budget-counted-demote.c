// A counted function whose calls grow past its share is muted outright.
// The counted tier (docs/budget.md) counts a muted function's calls when
// counting them costs at most a quarter of the budget; those calls cost
// about what recording does, so the budget charges them to the thread like
// recorded events and, when a counted function gets hotter, mutes it
// outright. Here step() is called 700 times a second beside 10,000 logs a
// second (which the budget never mutes) for a second, at 0.02% (10,000
// events a second; the floor a tenth, counting allowed up to a quarter):
// 1,400 events a second, so it is counted. Then 10,000 times a second:
// eight times what counting it may cost, so it must be muted outright.
// Before, counted calls were never charged: step() stayed counted, costing
// what it cost, until re-armed.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=0.02%%,rearm=off %t
// RUN: %frtool dump %t.fr | FileCheck %s
// RUN: %frtool summary %t.fr | FileCheck %s --check-prefix=SUMMARY
#include "fr.h"

#include <stdint.h>
#include <time.h>

#include "Inputs/now_ns.h"

static volatile uint64_t sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void step(void) { sink++; }

int main(void) {
  // A slot every 10 ms, 100 in each phase. A slot the thread was not
  // scheduled for is made up at once after, so that on a loaded machine
  // step's rate over what the budget judges is never under the planned one
  // (under it, step could fall below the floor and not be muted at all).
  uint64_t start = now_ns(), period = 10 * 1000 * 1000;
  for (uint64_t slot = 0; slot < 200; slot++) {
    while (now_ns() - start < slot * period)
      ;
    int calls = slot < 100 ? 7 : 100;
    for (int i = 0; i < calls; i++)
      step();
    for (int i = 0; i < 100; i++)
      fr_log(0, "filler", "x");
  }
  return 0;
}

// CHECK: muted step {{[0-9]+}}/s
// CHECK-NEXT: counting step
// CHECK: counted step {{[0-9]+}} calls
// CHECK: muted step {{[0-9]+}}/s
// CHECK-NOT: counting step

// SUMMARY: budget: 0.02% of each thread's time; 1 sites muted by it
