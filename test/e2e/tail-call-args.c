// The exit hook goes before a tail call only when the backend will make it
// a jump. A callee with 8 integer arguments on x86-64 takes two on the
// stack, and the backend calls it and then returns: the caller's exit must
// come after the callee's (before: "calls_eight exits, then eight runs").
// A 2-argument callee is jumped to: the caller has exited when it runs.
// REQUIRES: x86_64
// Not under TSan, which makes no call a jump (plugin/tail-call-tsan.c).
// UNSUPPORTED: tsan
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t
// RUN: %frtool dump %t.fr | FileCheck %s
// The machine code agrees: calls_two jumps, calls_eight calls.
// RUN: llvm-objdump -d --no-show-raw-insn %t | FileCheck %s --check-prefix=ASM
#include "fr.h"

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int eight(int a, int b, int c,
                                                         int d, int e, int f,
                                                         int g, int h) {
  __asm__ volatile("");
  return a + b + c + d + e + f + g + h;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int calls_eight(int x) {
  return eight(x, 1, 2, 3, 4, 5, 6, 7);
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int two(int a, int b) {
  __asm__ volatile("");
  return a * b;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int calls_two(int x) {
  return two(x, 3);
}

FR_ALWAYS_INSTRUMENT int main(void) {
  return calls_eight(1) + calls_two(2) == 35 ? 0 : 1;
}

// CHECK: enter calls_eight
// CHECK-NEXT: enter eight
// CHECK-NEXT: exit eight
// CHECK-NEXT: exit calls_eight
// CHECK-NEXT: enter calls_two
// CHECK-NEXT: exit calls_two
// CHECK-NEXT: enter two
// CHECK-NEXT: exit two
// ASM-LABEL: <calls_eight>:
// ASM: call{{q?}} {{.*}}<eight>
// ASM-LABEL: <calls_two>:
// ASM: jmp{{q?}} {{.*}}<two>
