// A window that wrapped: with max_bytes = 64 KiB and millions of events, the
// oldest events (first_marker) are gone, the newest (last_marker) are kept,
// and the event bytes in the snapshot stay within max_bytes.
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=max_bytes=64KiB,budget=off,output=%t.fr %t
// RUN: %frtool validate %t.fr | FileCheck %s --check-prefix=VALID
// RUN: %frtool dump %t.fr | FileCheck %s
// RUN: %frtool validate %t.fr | awk '{ for (i = 1; i < NF; i++) if ($(i+1) == "bytes") b = $i } END { print (b > 0 && b <= 65536) ? "within" : "over " b }' | FileCheck %s --check-prefix=BOUND
#include "fr.h"

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void first_marker(void) {
  __asm__ volatile("");
}
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void filler(void) {
  __asm__ volatile("");
}
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void last_marker(void) {
  __asm__ volatile("");
}

int main(void) {
  first_marker();
  for (int i = 0; i < 2000000; i++)
    filler();
  last_marker();
  return 0;
}

// VALID: valid: 1 threads
// CHECK-NOT: first_marker
// CHECK: enter filler
// CHECK: enter last_marker
// CHECK-NEXT: exit last_marker
// BOUND: within
