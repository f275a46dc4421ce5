// Every optimisation level (LTO: opt-levels-lto.test): the pass runs (after
// inlining) and the program records the same calls.
// RUN: rm -f %t1.fr %t3.fr %ts.fr
// RUN: %clang_fr -O1 %s -o %t1 %fr_link && env FR_OPTIONS=output=%t1.fr %t1 && %frtool dump %t1.fr | FileCheck %s
// RUN: %clang_fr -O3 %s -o %t3 %fr_link && env FR_OPTIONS=output=%t3.fr %t3 && %frtool dump %t3.fr | FileCheck %s
// RUN: %clang_fr -Os %s -o %ts %fr_link && env FR_OPTIONS=output=%ts.fr %ts && %frtool dump %ts.fr | FileCheck %s
#include "fr.h"

static volatile int sink;

FR_ALWAYS_INSTRUMENT int step(int x) { return x * 7 + 1; }

FR_ALWAYS_INSTRUMENT int main(void) {
  for (int i = 0; i < 3; i++)
    sink = step(i);
  return 0;
}
// CHECK: enter main {{.*}}opt-levels.c:[[#@LINE-5]]
// CHECK-NEXT: enter step {{.*}}opt-levels.c:[[#@LINE-8]]
// CHECK-NEXT: exit step
// CHECK-NEXT: enter step
// CHECK-NEXT: exit step
// CHECK-NEXT: enter step
// CHECK-NEXT: exit step
// CHECK-NEXT: exit main
