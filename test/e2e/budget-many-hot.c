// Many sites that turn hot at once are muted within a few looks, not a
// grace period apart. One look mutes at most 32 sites; before, a look that
// ran out of room with the thread still over half its budget gave it the
// grace meant for a thread whose sites are all under the floor (an eighth
// of a full bucket: 31,000 events at 1%), and the next look came only that
// many events later. A program's start, or a phase change, with a hundred
// hot functions recorded hundreds of thousands of events before they were
// all muted (speedtest1: 177,000 in its first 19 ms, now 75,000). Here 200
// functions, each far above the floor, are called in turn 2,000,000 times
// at the default 1%: before, 250,000 to 263,000 events were recorded before
// the last was muted (4 runs); now 83,000 to 97,000 (5 runs: the first
// look's grant, then a look every quarter chunk). Counted in events
// written, not time: a loaded machine earns the thread a few more.
// ThreadSanitizer slows each call twenty-fold or more: the 200 functions are
// then each under the floor (a tenth of the budget), and none is muted.
// UNSUPPORTED: tsan
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,rearm=off,counted=off %t
// RUN: %frtool summary %t.fr | FileCheck %s --check-prefix=MUTED
// RUN: %frtool summary --top=5 %t.fr | FileCheck %s --check-prefix=TOP
// RUN: %frtool validate %t.fr | sed 's/.* \([0-9]*\) events .*/\1/' > %t.events
// RUN: awk '{ print ($1 < 150000 ? "within the bound" : "over the bound: " $1) }' %t.events | FileCheck %s
#include "fr.h"

#include <stdint.h>

static volatile uint64_t sink;

#define HOT(n)                                                                 \
  FR_ALWAYS_INSTRUMENT __attribute__((noinline)) static void hot_##n(void) {  \
    sink++;                                                                    \
  }
#define HOT10(t)                                                               \
  HOT(t##0) HOT(t##1) HOT(t##2) HOT(t##3) HOT(t##4) HOT(t##5) HOT(t##6)       \
  HOT(t##7) HOT(t##8) HOT(t##9)
#define PTR10(t)                                                               \
  hot_##t##0, hot_##t##1, hot_##t##2, hot_##t##3, hot_##t##4, hot_##t##5,     \
  hot_##t##6, hot_##t##7, hot_##t##8, hot_##t##9,

HOT10(1) HOT10(2) HOT10(3) HOT10(4) HOT10(5) HOT10(6) HOT10(7) HOT10(8)
HOT10(9) HOT10(10) HOT10(11) HOT10(12) HOT10(13) HOT10(14) HOT10(15)
HOT10(16) HOT10(17) HOT10(18) HOT10(19) HOT10(20)

static void (*const hot[200])(void) = {
    PTR10(1) PTR10(2) PTR10(3) PTR10(4) PTR10(5) PTR10(6) PTR10(7) PTR10(8)
    PTR10(9) PTR10(10) PTR10(11) PTR10(12) PTR10(13) PTR10(14) PTR10(15)
    PTR10(16) PTR10(17) PTR10(18) PTR10(19) PTR10(20)};

int main(void) {
  for (int i = 0; i < 2000000; i++)
    hot[i % 200]();
  return 0;
}

// MUTED: budget: 1% of each thread's time; 200 sites muted by it

// The muted table is cut to --top like every other (before, it listed all
// 200 whatever --top), and says so.
// TOP: muted by the overhead budget
// TOP-COUNT-5: function hot_
// TOP-NEXT: ... and 195 more (--top=0 lists them all)

// CHECK: {{^}}within the bound{{$}}
