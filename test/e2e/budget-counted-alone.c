// A counted function that becomes hot while its thread records nothing else
// is muted outright within a few thousand calls. The budget looks at a
// thread when its bytes reach a probe, a quarter chunk on; a counted
// function writes a few bytes per 4,096 calls, so a thread that did little
// but call one was looked at only after millions of calls, all counted at
// about what recording them costs. Here step() is counted at 0.02% as in
// budget-counted-demote.c (700 calls a second beside 10,000 logs), then
// called 2,000,000 times in a row with nothing else recorded. Its counted
// calls now bring the probe in: it is muted outright after at most a few
// looks, 4,096 calls apart. Before, all 2,000,000 calls were counted.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=0.02%%,rearm=off %t
// RUN: %frtool dump %t.fr | FileCheck %s
// RUN: %frtool summary %t.fr | sed -n '/^counted while/,/^$/p' > %t.counted
// RUN: awk '$4 == "step" { print ($1 < 100000 ? "within the bound" : "over the bound: " $1) }' %t.counted | FileCheck %s --check-prefix=BOUND
#include "fr.h"

#include <stdint.h>
#include <time.h>

#include "Inputs/now_ns.h"

static volatile uint64_t sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void step(void) { sink++; }

int main(void) {
  // As budget-counted-demote.c: a slot every 10 ms, a late slot made up at
  // once after, so that step's rate is never under the planned one.
  uint64_t start = now_ns(), period = 10 * 1000 * 1000;
  for (uint64_t slot = 0; slot < 100; slot++) {
    while (now_ns() - start < slot * period)
      ;
    for (int i = 0; i < 7; i++)
      step();
    for (int i = 0; i < 100; i++)
      fr_log(0, "filler", "x");
  }
  for (int i = 0; i < 2000000; i++)
    step();
  return 0;
}

// CHECK: muted step {{[0-9]+}}/s
// CHECK-NEXT: counting step
// CHECK: counted step {{[0-9]+}} calls
// CHECK: muted step {{[0-9]+}}/s
// CHECK-NOT: counting step

// BOUND: {{^}}within the bound{{$}}
