// The counted tier: a function the budget mutes is still counted, per
// thread, and its one slow call is still recorded, with its duration. Here
// step() is called tens of thousands of times a second beside a flood of
// logs (which the budget never mutes), so the budget mutes it; with
// counted=all it is counted rather than muted outright, and its 30 ms call
// after a second is in the snapshot (dump, summary, JSON, every export),
// with the calls counted while it was muted. With counted=off the same call
// is lost, as it was before the tier (docs/budget.md, "Counted calls").
// Counting starts no thread: the program has one thread at its end. (The
// tier's first clock was a thread of the runtime's own that woke every
// millisecond, and cost a core it shared 4%.)
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=0.02%%,rearm=off,counted=all %t | FileCheck %s --check-prefix=TASKS
// RUN: %frtool validate %t.fr | FileCheck %s --check-prefix=VALID
// RUN: %frtool dump %t.fr | FileCheck %s --check-prefix=DUMP
// RUN: %frtool dump %t.fr | grep slow-call | tail -n 1 | FileCheck %s --check-prefix=LAST
// RUN: %frtool summary %t.fr | FileCheck %s
// RUN: %frtool summary --json %t.fr | FileCheck %s --check-prefix=JSON
// RUN: %frtool export --format=chrome %t.fr -o %t.json
// RUN: python3 %S/Inputs/slice_durations.py %t.json step | FileCheck %s --check-prefix=SLICE
// RUN: %frtool export --format=folded %t.fr -o %t.folded
// RUN: FileCheck %s --check-prefix=FOLDED < %t.folded
// RUN: rm -f %t.off.fr && env FR_OPTIONS=output=%t.off.fr,budget=0.02%%,rearm=off,counted=off %t
// RUN: %frtool dump %t.off.fr | FileCheck %s --check-prefix=OFF
#include "fr.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "Inputs/now_ns.h"

static volatile uint64_t sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void step(int slow) {
  sink++;
  if (slow) { // 30 ms of work, however the thread is scheduled
    uint64_t end = now_ns() + 30 * 1000 * 1000;
    while (now_ns() < end)
      sink++;
  }
}

int main(void) {
  // A slot every 100 us (one missed is skipped, not made up in a burst):
  // four calls of step() and twenty logs in each, for a second.
  uint64_t start = now_ns(), slot = 0, period = 100 * 1000;
  for (;;) {
    uint64_t t = now_ns() - start;
    if (t > 1000ull * 1000 * 1000)
      break;
    if (t < slot * period)
      continue;
    slot = t / period + 1;
    for (int i = 0; i < 4; i++)
      step(0);
    for (int i = 0; i < 20; i++)
      fr_log(0, "filler", "x");
  }
  step(1);
  int tasks = 0;
  DIR *dir = opendir("/proc/self/task");
  for (struct dirent *e; dir && (e = readdir(dir));)
    tasks += e->d_name[0] != '.';
  if (dir)
    closedir(dir);
  printf("threads of the process: %d\n", tasks);
  return 0;
}

// TASKS: threads of the process: 1

// VALID: valid:
// VALID-NOT: do not know

// On a loaded machine a call of step(0) that a preemption lands in takes
// milliseconds of wall time too, and is kept as slow (as recording would
// show it): the checks count at least one slow call, and look for the 30 ms
// one where it is, the last.
// DUMP: muted step {{[0-9]+}}/s
// DUMP-NEXT: counting step
// DUMP: counted step {{[0-9]+}} calls
// DUMP: slow-call step took
// LAST: slow-call step took {{[3-9][0-9]\.[0-9]+}} ms

// CHECK: budget: 0.02% of each thread's time; 1 sites muted by it
// CHECK: functions
// CHECK: step {{.*}}budget-counted.c:{{[0-9]+}} (muted: {{[1-9][0-9]+}} more calls counted, not timed; {{[1-9][0-9]*}} slow ones timed)
// CHECK: counted while muted
// CHECK-NEXT: calls slow threads function
// CHECK-NEXT: {{[1-9][0-9]+}} {{[1-9][0-9]*}} T1 step {{.*}}budget-counted.c

// JSON: "counted":[
// JSON-NEXT: {"site":{{.*}}"function":"step"{{.*}}},"calls":{{[1-9][0-9]+}},"slow_calls":{{[1-9][0-9]*}},"threads":[{"thread":1,"calls":{{[1-9][0-9]+}},"slow_calls":{{[1-9][0-9]*}}}]}

// The slow call's slice: 30 ms, timed by the CPU's clock at its entry and
// exit, and what preemption adds.
// SLICE: longest {{[3-9][0-9]\.[0-9]+}} ms

// FOLDED: main;step {{[0-9]+}}

// OFF: muted step {{[0-9]+}}/s
// OFF-NOT: counting
// OFF-NOT: slow-call
