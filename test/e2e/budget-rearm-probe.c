// A re-arm is a probe, not a new allowance. A function is hot and muted; the
// thread then runs quiet for longer than its bucket takes to fill (a second
// at half the budget's rate), and the function, re-armed after 100 ms, is
// as hot as before when the thread next looks. Before, the thread spent its
// whole bucket on it (250,000 events at the default 1%) before it was muted
// again: on speedtest1, 170,000 events in 20 ms after 47 sites were re-armed
// at once. Now the re-arm leaves the thread at most the grace, an eighth of
// a bucket (31,000 events), and the function is muted again within that
// and the chunk up to the next look: 28,400 of its calls (57,000 events)
// between its re-arm and its second mute, in 5 runs; before, 129,700 to
// 140,000 calls in 3 runs. Counted in calls, not time: a loaded machine only
// makes the quiet spell longer, which fills the bucket no more than full.
// The logs keep the thread reaching the budget's looks while the function is
// muted (user annotations are never muted), at a fifth of the budget.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,rearm=100ms,counted=off %t
// RUN: %frtool validate %t.fr
// RUN: %frtool dump %t.fr | FileCheck %s --check-prefix=DUMP
// RUN: %frtool dump %t.fr | awk '/ rearmed hot / { on = 1 } on && / muted hot / { on = 0; done = 1 } on && / enter hot / { n++ } END { print done ? n : "never muted again" }' > %t.flood
// RUN: awk '{ print ($1 ~ /^[0-9]+$/ && $1 < 80000 ? "within the bound" : "over the bound: " $0) }' %t.flood | FileCheck %s
#include "fr.h"

#include <stdint.h>
#include <time.h>

static volatile uint64_t sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) static void hot(void) {
  sink++;
}

static void hot_phase(void) {
  for (int i = 0; i < 2000000; i++) {
    hot();
    if (i % 1000 == 0)
      fr_log(0, "phase", "hot");
  }
}

int main(void) {
  hot_phase();
  // At least 1.2 s, whatever the load: the bucket is full again, and the
  // re-arm long due.
  for (int tick = 0; tick < 120; tick++) {
    struct timespec pause = {0, 10 * 1000 * 1000};
    while (nanosleep(&pause, &pause) != 0)
      ;
  }
  hot_phase();
  return 0;
}

// DUMP: muted hot {{[0-9]+}}/s
// DUMP: rearmed hot after {{[0-9]+}} ms
// DUMP: muted hot {{[0-9]+}}/s

// CHECK: {{^}}within the bound{{$}}
