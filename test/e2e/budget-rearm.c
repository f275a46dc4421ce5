// Muting is reversible. A function is hot in a first phase and muted; in a
// second phase it is called once a millisecond, and after the re-arm time
// (here 50 ms; FR_OPTIONS rearm=) the budget records it again: the snapshot
// says when it was muted and re-armed, and has its calls after the re-arm.
// (Before, a muted site stayed muted until the recorder was started again.)
// With rearm=off it stays muted, and no entry of it follows the mute: the
// entry that sent the thread to the check that muted it is not written, as
// its exit would not be (before, that call was left open). The second
// phase's logs keep the thread
// reaching the budget's checks while the function is muted: user
// annotations are never muted.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=0.02%%,rearm=50ms %t
// RUN: %frtool validate %t.fr
// RUN: %frtool dump %t.fr | FileCheck %s --check-prefix=DUMP
// RUN: %frtool summary %t.fr | FileCheck %s
// RUN: %frtool summary --json %t.fr | FileCheck %s --check-prefix=JSON
// RUN: %frtool export --format=chrome %t.fr -o %t.json
// RUN: FileCheck %s --check-prefix=CHROME < %t.json
// RUN: rm -f %t.off.fr && env FR_OPTIONS=output=%t.off.fr,budget=0.02%%,rearm=off %t
// RUN: %frtool dump %t.off.fr | FileCheck %s --check-prefix=OFF
#include "fr.h"

#include <stdint.h>
#include <time.h>

static volatile uint64_t sink;

FR_ALWAYS_INSTRUMENT void hot(void) { sink++; }

int main(void) {
  for (int i = 0; i < 2000000; i++)
    hot();
  // At least 200 ms, whatever the load: four times the re-arm time.
  for (int round = 0; round < 200; round++) {
    struct timespec pause = {0, 1000 * 1000};
    while (nanosleep(&pause, &pause) != 0)
      ;
    hot();
    for (int i = 0; i < 20; i++)
      fr_log(0, "phase", "two");
  }
  return 0;
}

// DUMP: muted hot {{[0-9]+}}/s
// DUMP: rearmed hot after {{[0-9]+}} ms
// DUMP: enter hot

// The second phase is over the budget too (its logs, which the budget never
// mutes, alone are over half of it): the re-armed function, and the sleep's
// call site, may be muted again in it.
// CHECK: budget: 0.02% of each thread's time; {{[12]}} sites muted by it
// CHECK: muted by the overhead budget
// CHECK-NEXT: events/s muted at re-armed
// CHECK-NEXT: {{[0-9]+ +[0-9.]+ ms +[0-9.]+ ms}}  function  hot

// JSON: "muted":[
// JSON-NEXT: {"kind":"function","site":{{.*}}"function":"hot"{{.*}}"rearmed_ms":{{[0-9.]+}}}

// CHROME: "name":"muted: hot"
// CHROME: "name":"re-armed: hot"

// OFF: muted hot
// OFF-NOT: rearmed
// OFF-NOT: enter hot
