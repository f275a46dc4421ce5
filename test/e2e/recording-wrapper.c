// Functions too large to copy get a recording wrapper (plugin/FrClone.h):
// F tests its guard and, recording, jumps to F.fr, which sets the thread's
// pass token, calls F and records F's entry and exit around it. Built with
// clone=1 here so that every chosen function is wrapped. Calls made while
// the recorder is stopped leave nothing; recursion (a call of F inside F,
// after F took the token) is recorded at every level, nested; a function
// that returns through a tail call keeps its hooks inline (the jump stays a
// jump); a longjmp out of wrapped frames leaves the token clear, so the next
// call is recorded; the names are the original functions'.
// UNSUPPORTED: tsan
// RUN: env FR_PASS_OPTIONS=clone=1 %clang_fr -O2 %s -o %t %fr_link
// RUN: nm %t | FileCheck %s --check-prefix=WRAPPERS
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=off %t
// RUN: %frtool validate %t.fr
// RUN: %frtool summary --json %t.fr > %t.json
// RUN: %summary_check %t.json 'functions[site.function=tree].inclusive.count==16' 'functions[site.function=hand_off].inclusive.count==2' 'functions[site.function=jumper].inclusive.count==3' 'functions[site.function=after_jump].inclusive.count==1'
// RUN: %frtool dump %t.fr | FileCheck %s
// WRAPPERS-DAG: t tree.fr
// WRAPPERS-DAG: t jumper.fr
// WRAPPERS-NOT: hand_off.fr
// CHECK-NOT: .fr
// CHECK: enter tree
// CHECK-NEXT: enter tree
// CHECK-NEXT: enter tree
// CHECK-NEXT: enter tree
// CHECK-NEXT: exit tree
// CHECK-NOT: .fr
#include "fr.h"

#include "Inputs/recursion_shapes.h"

#include <stdio.h>

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) unsigned leaf(unsigned x) {
  return x * 7 + sink;
}

// Returns through a tail call: keeps its hooks inline.
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) unsigned hand_off(unsigned x) {
  sink += x;
  return leaf(x + sink);
}

int main(void) {
  fr_recorder *r = fr_default_recorder();
  fr_stop(r);
  tree(3); // while the recorder is stopped: nothing
  fr_start(r);
  unsigned total = tree(3);
  total += hand_off(1) + hand_off(2);
  if (!setjmp(back))
    jumper(2);
  total += after_jump();
  printf("total %u\n", total);
  return 0;
}
