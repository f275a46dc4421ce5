// Counts belong to the window they were made in. A thread keeps the calls
// of a counted function it has not written out yet (up to 4,096 of them)
// in its own state; when the recorder is stopped and started again, those
// calls were made before the new window began and must not appear in it.
// They did: the new window's first chunk said "counted step 500 calls" for
// a function not called since the start.
// Here the budget counts step() (counted=all), a snapshot shows it counted,
// 500 more calls are made, and the recorder is stopped and started; the
// exit snapshot holds the second window only.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr %t.first.fr && env FR_OPTIONS=output=%t.fr,budget=0.02%%,rearm=off,counted=all %t %t.first.fr
// RUN: %frtool dump %t.first.fr | FileCheck %s --check-prefix=FIRST
// RUN: %frtool dump %t.fr | FileCheck %s --check-prefix=SECOND
// RUN: %frtool validate %t.fr
// FIRST: counting step
// SECOND-NOT: counted step
// SECOND: enter after_restart
// SECOND-NOT: counted step
#include "fr.h"

#include <stdio.h>

static volatile unsigned sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void step(void) { sink++; }
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void after_restart(void) {
  sink--;
}

int main(int argc, char **argv) {
  fr_recorder *r = fr_default_recorder();
  if (argc < 2 || !r) {
    fprintf(stderr, "usage: FR_OPTIONS=... %s FIRST_SNAPSHOT\n", argv[0]);
    return 2;
  }
  // Far over 0.02% of the thread's time: muted at the first check, and
  // counted from there.
  for (int i = 0; i < 200000; i++)
    step();
  if (fr_write_to_path(r, argv[1]) != 0) // writes out this thread's counts
    return 1;
  for (int i = 0; i < 500; i++) // counted, not yet written out
    step();
  fr_stop(r);
  fr_start(r);
  after_restart();
  return 0;
}
