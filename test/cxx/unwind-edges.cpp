// A blocking call that an exception ends records its return on the unwind
// edge (result -1), and the frames it unwinds record their exits, so the
// call is closed where it ended, not left open until the snapshot; a call
// on the normal edge is recorded as usual. may_block is made a blocking
// function by the plugin's blocking= option; the destructor in scope makes
// its call an invoke.
// RUN: env FR_PASS_OPTIONS='blocking=may_block(*' %clangxx_fr -O2 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t
// RUN: %frtool dump %t.fr | FileCheck %s
// RUN: %frtool summary --json %t.fr > %t.json
// RUN: %summary_check %t.json 'blocking_sites[site.callee=may_block].duration.count==2' 'blocked_at_snapshot==[]'
#include "fr.h"

#include <stdexcept>
#include <unistd.h>

struct Guard {
  ~Guard() { __asm__ volatile(""); }
};

FR_NEVER_INSTRUMENT __attribute__((noinline)) void may_block(int fail) {
  usleep(100);
  if (fail)
    throw std::runtime_error("timed out");
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int caller(int fail) {
  Guard g;
  may_block(fail);
  return 0;
}

FR_ALWAYS_INSTRUMENT int main() {
  try {
    caller(1);
  } catch (const std::exception &) {
  }
  return caller(0);
}

// CHECK: enter caller(int)
// CHECK-NEXT: call may_block in caller(int)
// CHECK-NEXT: return may_block result=-1 in caller(int)
// CHECK-NEXT: exit caller(int)
// CHECK-NEXT: resume main
// CHECK-NEXT: enter caller(int)
// CHECK-NEXT: call may_block in caller(int)
// CHECK-NEXT: return may_block result=0 in caller(int)
// CHECK-NEXT: exit caller(int)
