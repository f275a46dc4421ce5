// Entry and exit events nest as the calls did, at -O0 and -O2, and the site
// table names the function and its file:line without debug info access.
// RUN: %clang_fr -O0 -fno-optimize-sibling-calls %s -o %t0 %fr_link
// RUN: rm -f %t0.fr && env FR_PASS_OPTIONS= FR_OPTIONS=output=%t0.fr %t0
// RUN: %frtool validate %t0.fr
// RUN: %frtool dump %t0.fr | FileCheck %s
// RUN: env FR_PASS_OPTIONS=threshold=0 %clang_fr -O2 -fno-optimize-sibling-calls -fno-inline %s -o %t2 %fr_link
// RUN: rm -f %t2.fr && env FR_OPTIONS=output=%t2.fr %t2
// RUN: %frtool dump %t2.fr | FileCheck %s
#include "fr.h"

FR_ALWAYS_INSTRUMENT int leaf(int x) { return x * 3; }

FR_ALWAYS_INSTRUMENT int middle(int x) { return leaf(x) + leaf(x + 1); }

FR_NEVER_INSTRUMENT int hidden(int x) { return middle(x); }

FR_ALWAYS_INSTRUMENT int main(void) { return hidden(1) == 9 ? 0 : 1; }

// CHECK: # program nesting.c.tmp{{[02]}} pid {{[0-9]+}} trigger exit format {{[0-9]+}}
// CHECK: # thread T1 tid {{[0-9]+}} name "nesting.c.tmp{{[02]}}"
// CHECK: T1 thread-start
// CHECK-NEXT: T1 enter main {{.*}}nesting.c:18
// CHECK-NEXT: T1 enter middle {{.*}}nesting.c:14
// CHECK-NEXT: T1 enter leaf {{.*}}nesting.c:12
// CHECK-NEXT: T1 exit leaf {{.*}}nesting.c:12
// CHECK-NEXT: T1 enter leaf {{.*}}nesting.c:12
// CHECK-NEXT: T1 exit leaf {{.*}}nesting.c:12
// CHECK-NEXT: T1 exit middle {{.*}}nesting.c:14
// CHECK-NEXT: T1 exit main {{.*}}nesting.c:18
// CHECK-NOT: hidden
