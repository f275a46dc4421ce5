// The shared runtime (libfr.so) records as the static one does.
// RUN: %clang_fr -O2 %s -o %t %fr_link_shared
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t
// RUN: %frtool dump %t.fr | FileCheck %s
#include "fr.h"
FR_ALWAYS_INSTRUMENT int twice(int x) { return 2 * x; }
int main(int argc, char **argv) { return twice(argc) == 2 ? 0 : 1; }
// CHECK: enter twice {{.*}}shared-runtime.c:6
// CHECK-NEXT: exit twice
