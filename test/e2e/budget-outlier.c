// The overhead budget keeps the call the recording is for. A request handler
// calls a small function 5,000 times a round, ten rounds 100 ms apart: about
// 0.2% of the thread's time recorded on average (at FR_EVENT_COST_NS an
// event), a fifth of the budget, but far over it within each burst. One call of the function, in round 7, runs
// for 30 ms. Judged over a second, the thread is within its budget: nothing
// is muted and the slow call is in the snapshot with its duration (before,
// the budget judged each quarter chunk, muted the function within the first
// burst and the 30 ms call was lost).
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t
// RUN: %frtool summary %t.fr | FileCheck %s
#include "fr.h"

#include <stdint.h>
#include <time.h>

#include "Inputs/now_ns.h"

static volatile uint64_t sink;

// The slow call computes (no blocking call inside: the function's own time).
FR_ALWAYS_INSTRUMENT void step(int slow) {
  uint64_t until = slow ? now_ns() + 30 * 1000 * 1000 : 0;
  do
    sink++;
  while (now_ns() < until);
}

FR_ALWAYS_INSTRUMENT void handle(int round) {
  for (int i = 0; i < 5000; i++)
    step(round == 7 && i == 2500);
}

int main(void) {
  for (int round = 0; round < 10; round++) {
    handle(round);
    struct timespec pause = {0, 100 * 1000 * 1000};
    while (nanosleep(&pause, &pause) != 0)
      ;
  }
  return 0;
}

// CHECK: budget: 1% of each thread's time
// CHECK-NOT: sites muted
// CHECK: functions
// All 50,000 calls, the longest the 30 ms one.
// CHECK: {{^ +}}50000 {{.*}} {{[3-9][0-9]\.[0-9]+ms|[0-9.]+s}}  step {{.*}}budget-outlier.c
// CHECK-NOT: muted by the overhead budget
