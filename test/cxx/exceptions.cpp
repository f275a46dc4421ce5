// Exceptions keep the call stack true: frames an exception leaves record
// their exits as it passes (cleanup landing pads), the frame that catches
// records a resume event, and frames built without exceptions (C) that it
// passes are closed by the reader there. Throws through 1, 5 and 20
// instrumented frames, with destructors, a rethrow and a C frame; at -O0
// and -O2. Before: the exits were never recorded (thrower: 0 calls in the
// summary, stacks a staircase until the catching function returned).
// RUN: %clang_fr -O2 -c -fno-exceptions %S/Inputs/c_callback.c -o %t.c.o
// RUN: %clangxx_fr -O0 %s %t.c.o -o %t0 %fr_link
// RUN: %clangxx_fr -O2 %s %t.c.o -o %t2 %fr_link
// RUN: rm -f %t0.fr %t2.fr
// RUN: env FR_OPTIONS=output=%t0.fr %t0 | FileCheck %s --check-prefix=OUT
// RUN: env FR_OPTIONS=output=%t2.fr %t2 | FileCheck %s --check-prefix=OUT
// RUN: %frtool validate %t0.fr
// RUN: %frtool dump %t0.fr | FileCheck %s
// RUN: %frtool dump %t2.fr | FileCheck %s
// RUN: %frtool summary --json %t0.fr > %t0.json
// RUN: %summary_check %t0.json 'functions[site.function=thrower(int)].inclusive.count==93' 'functions[site.function=with_dtor(int)].inclusive.count==9' 'functions[site.function=rethrower(int)].inclusive.count==3' 'functions[site.function=c_visit].inclusive.count==3' 'unwound_calls==3' 'partial_calls==0'
// RUN: %frtool summary --json %t2.fr > %t2.json
// RUN: %summary_check %t2.json 'functions[site.function=thrower(int)].inclusive.count==93' 'functions[site.function=with_dtor(int)].inclusive.count==9' 'functions[site.function=c_visit].inclusive.count==3' 'unwound_calls==3'
// The same with every chosen function outlined (its body moved out whole,
// plugin/FrClone.h): the recording wrapper's landing pad records the exit.
// RUN: env FR_PASS_OPTIONS='clone=1;outline=1' %clangxx_fr -O2 %s %t.c.o -o %to %fr_link
// RUN: rm -f %to.fr && env FR_OPTIONS=output=%to.fr %to | FileCheck %s --check-prefix=OUT
// RUN: %frtool dump %to.fr | FileCheck %s
// RUN: %frtool summary --json %to.fr > %to.json
// RUN: %summary_check %to.json 'functions[site.function=thrower(int)].inclusive.count==93' 'functions[site.function=with_dtor(int)].inclusive.count==9' 'functions[site.function=rethrower(int)].inclusive.count==3' 'functions[site.function=c_visit].inclusive.count==3' 'unwound_calls==3'
// RUN: nm -C %to | FileCheck %s --check-prefix=OUTLINED
// OUTLINED: rethrower(int) [clone .fr] [clone .body]
// No stack is deeper than the program's: main, attempt, with_dtor, 21
// throwers (folded stacks are frames joined by ';').
// RUN: %frtool export --format=folded -o %t0.folded %t0.fr
// RUN: %frtool export --format=folded -o %t2.folded %t2.fr
// RUN: python3 -c "import sys; d = max(l.rsplit(' ', 1)[0].count(';') + 1 for f in sys.argv[1:] for l in open(f)); print('deepest', d); sys.exit(d > 24)" %t0.folded %t2.folded
// RUN: FileCheck %s --check-prefix=FOLDED < %t0.folded
// RUN: FileCheck %s --check-prefix=FOLDED < %t2.folded
// The report and the Perfetto export replay the same way.
// RUN: %frtool export --format=chrome -o %t2.json.trace %t2.fr
// RUN: python3 -c "import json,sys; ev=json.load(open(sys.argv[1]))['traceEvents']; b=sum(e.get('ph')=='B' for e in ev); e=sum(e.get('ph')=='E' for e in ev); print(b, e); sys.exit(b != e)" %t2.json.trace
#include "fr.h"

#include <cstdio>
#include <stdexcept>

extern "C" void c_visit(void (*fn)(int), int depth);

static int destroyed;
struct Counted {
  ~Counted() { ++destroyed; }
};

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void thrower(int depth) {
  if (depth == 0)
    throw std::runtime_error("insufficient funds");
  thrower(depth - 1);
  __asm__ volatile("");
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void with_dtor(int depth) {
  Counted c;
  thrower(depth);
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int attempt(int depth) {
  try {
    with_dtor(depth);
  } catch (const std::exception &) {
    return 1;
  }
  return 0;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void rethrower(int depth) {
  try {
    thrower(depth);
  } catch (...) {
    throw;
  }
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void through_c(int depth) {
  c_visit(thrower, depth);
  __asm__ volatile(""); // not a tail call: the exception passes this frame
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int outer(int depth) {
  try {
    rethrower(depth);
  } catch (const std::runtime_error &) {
  }
  try {
    through_c(depth);
  } catch (const std::runtime_error &) {
    return 1;
  }
  return 0;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void after() {
  __asm__ volatile("");
}

FR_ALWAYS_INSTRUMENT int main() {
  int caught = 0;
  for (int i = 0; i < 3; i++) {
    caught += attempt(1);
    caught += attempt(5);
    caught += attempt(20);
  }
  for (int i = 0; i < 3; i++)
    caught += outer(0);
  after();
  printf("caught %d destroyed %d\n", caught, destroyed);
  return 0;
}

// OUT: caught 12 destroyed 9
// The 1-frame throw: every frame closed in order, then the catch.
// CHECK: enter attempt(int)
// CHECK-NEXT: enter with_dtor(int)
// CHECK-NEXT: enter thrower(int)
// CHECK-NEXT: enter thrower(int)
// CHECK-NEXT: exit thrower(int)
// CHECK-NEXT: exit thrower(int)
// CHECK-NEXT: exit with_dtor(int)
// CHECK-NEXT: resume attempt(int) {{.*}} (exception caught)
// CHECK-NEXT: exit attempt(int)
// The rethrow: rethrower catches (resume), throws again, and exits.
// CHECK: enter outer(int)
// CHECK-NEXT: enter rethrower(int)
// CHECK-NEXT: enter thrower(int)
// CHECK-NEXT: exit thrower(int)
// CHECK-NEXT: resume rethrower(int) {{.*}} (exception caught)
// CHECK-NEXT: exit rethrower(int)
// CHECK-NEXT: resume outer(int) {{.*}} (exception caught)
// Through C: c_visit records no exit; outer's resume closes it.
// CHECK-NEXT: enter through_c(int)
// CHECK-NEXT: enter c_visit
// CHECK-NEXT: enter thrower(int)
// CHECK-NEXT: exit thrower(int)
// CHECK-NEXT: exit through_c(int)
// CHECK-NEXT: resume outer(int) {{.*}} (exception caught)
// CHECK-NEXT: exit outer(int)
// FOLDED-DAG: {{^}}main;after() {{[0-9]+}}
// FOLDED-DAG: {{^}}main;outer(int);through_c(int);c_visit;thrower(int) {{[0-9]+}}
