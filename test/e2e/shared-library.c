// An instrumented shared library and an instrumented executable each register
// their own site table; ids do not collide and names resolve for both.
// RUN: %clang_fr -O2 -fPIC -shared %S/Inputs/shlib.c -o %t.so %fr_link_shared
// RUN: %clang_fr -O2 %s %t.so -Wl,-rpath,%T -o %t %fr_link_shared
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t
// RUN: %frtool dump %t.fr | FileCheck %s
#include "fr.h"
int in_library(int x);
FR_ALWAYS_INSTRUMENT int in_program(int x) { return in_library(x) + 2; }
int main(int argc, char **argv) { return in_program(argc) == 43 ? 0 : 1; }
// CHECK: enter in_program {{.*}}shared-library.c:9
// CHECK-NEXT: enter in_library {{.*}}shlib.c:3
// CHECK-NEXT: exit in_library {{.*}}shlib.c:3
// CHECK-NEXT: exit in_program {{.*}}shared-library.c:9
