// Under ThreadSanitizer no call is a tail call (its pass, after ours, calls
// __tsan_func_exit before every return), so a caller's exit hook goes after
// the call it would otherwise have gone before (before, a TSan build
// recorded calls_two's exit before two ran: e2e/tail-call-args.c's order
// without the jump that made it right).
// RUN: %clang_fr -O2 -fsanitize=thread -S -emit-llvm %s -o - | FileCheck %s
// RUN: %clang_fr -O2 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=PLAIN
#include "fr.h"

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int two(int a, int b) {
  __asm__ volatile("");
  return a * b;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int calls_two(int x) {
  return two(x, 3);
}

// CHECK-LABEL: define {{.*}}@calls_two(
// CHECK: call {{.*}}@two(
// CHECK: @__fr_func_exit
// CHECK: ret i32

// PLAIN-LABEL: define {{.*}}@calls_two(
// PLAIN: @__fr_func_exit
// PLAIN: tail call {{.*}}@two(
// PLAIN: ret i32
