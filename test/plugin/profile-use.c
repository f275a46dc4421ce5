// A release build from a profile: functions the profile calls hot at entry
// and that do little per call are left out (their cheapest hook is none),
// the rest of the selection is unchanged, and an always-instrumented
// function stays in. Without a profile, or with profile=0, the size rule
// alone decides.
// REQUIRES: profile-runtime
// RUN: %clang_plain -O1 -fprofile-instr-generate %s -o %t.gen
// RUN: rm -f %t.profraw && env LLVM_PROFILE_FILE=%t.profraw %t.gen
// RUN: %llvm_bin/llvm-profdata merge -o %t.profdata %t.profraw
// RUN: env FR_PASS_OPTIONS='threshold=0;explain=1' %clang_fr -O1 -fprofile-instr-use=%t.profdata -c %s -o %t.o 2>&1 | FileCheck %s
// RUN: env FR_PASS_OPTIONS='threshold=0;explain=1;profile=0' %clang_fr -O1 -fprofile-instr-use=%t.profdata -c %s -o %t.o 2>&1 | FileCheck %s --check-prefix=OFF
// RUN: env FR_PASS_OPTIONS='threshold=0;explain=1' %clang_fr -O1 -c %s -o %t.o 2>&1 | FileCheck %s --check-prefix=OFF
#include "fr.h"

static volatile unsigned sink;

__attribute__((noinline)) void leaf(unsigned i) { sink += i; }
FR_ALWAYS_INSTRUMENT void pinned(unsigned i) { sink ^= i; }
__attribute__((noinline)) void once(void) { sink = 1; }

int main(void) {
  once();
  for (unsigned i = 0; i < 1000000; i++) {
    leaf(i);
    pinned(i);
  }
  return 0;
}

// CHECK-DAG: profile-use.c: leaf: estimated work {{[0-9]+}}, left out (hot in the profile)
// CHECK-DAG: profile-use.c: pinned: estimated work {{[0-9]+}}, instrumented
// CHECK-DAG: profile-use.c: once: estimated work {{[0-9]+}}, instrumented
// CHECK-DAG: profile-use.c: main: estimated work {{[0-9]+}}, instrumented

// OFF-DAG: profile-use.c: leaf: estimated work {{[0-9]+}}, instrumented
// OFF-DAG: profile-use.c: pinned: estimated work {{[0-9]+}}, instrumented
