// diff marks a function that ran in A and not in B as gone (and one only
// in B as new), never "+0%"; neither is a regression by itself here.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.a.fr %t.b.fr
// RUN: env FR_OPTIONS=output=%t.a.fr %t old
// RUN: env FR_OPTIONS=output=%t.b.fr %t new
// RUN: %frtool diff --min-time=1000000000 %t.a.fr %t.b.fr | FileCheck %s
#include "fr.h"

#include <string.h>

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int old_path(int x) {
  return x + 1;
}
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int new_path(int x) {
  return x + 2;
}

FR_ALWAYS_INSTRUMENT int main(int argc, char **argv) {
  int old = argc > 1 && !strcmp(argv[1], "old");
  return (old ? old_path(1) : new_path(0)) == 2 ? 0 : 1;
}

// CHECK-DAG: new  function new_path
// CHECK-DAG: gone  function old_path
