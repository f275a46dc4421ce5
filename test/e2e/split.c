// Small functions and lock wrappers are split (plugin/FrClone.h): the body
// runs behind one test while its sites are off, a recording copy while on.
// Calls made while the recorder is stopped leave nothing; calls made while it
// records are all there, with their lock events, and the names are the
// original functions'. The binary holds the copies (the split happened).
// A loop around a lock or blocking call is not split: entered while
// stopped, it must record the calls it makes once the recorder has started
// (pump: 5 of its 10 locks; split, it recorded none).
// TSan builds are not split (their guard loads are atomic single bytes).
// UNSUPPORTED: tsan
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: nm %t | FileCheck %s --check-prefix=COPIES
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=off %t
// RUN: %frtool validate %t.fr
// RUN: %frtool summary --json %t.fr > %t.json
// RUN: %summary_check %t.json 'functions[site.function=tiny].inclusive.count==3' 'functions[site.function=recurse].inclusive.count==4' 'locks[0].acquired==7' 'lock_sites[site.function=take].acquired==2' 'lock_sites[site.function=take].site.callee==pthread_mutex_lock' 'lock_sites[site.function=pump].acquired==5'
// RUN: %frtool dump %t.fr | FileCheck %s
// COPIES-DAG: t tiny.fr
// COPIES-DAG: t take.fr
// COPIES-NOT: pump.fr
// CHECK-NOT: .fr
// CHECK: enter tiny
// CHECK-NOT: .fr
#include "fr.h"

#include <pthread.h>
#include <stdio.h>

static volatile unsigned sink;

FR_ALWAYS_INSTRUMENT void tiny(void) { sink++; }

// Each level calls F, which tests and jumps to the copy again.
FR_ALWAYS_INSTRUMENT unsigned recurse(unsigned n) {
  if (n == 0)
    return sink;
  unsigned below = recurse(n - 1);
  return below * 3 + sink; // reads sink after the call: no loop made of it
}

__attribute__((noinline)) void take(pthread_mutex_t *m) {
  pthread_mutex_lock(m);
}

__attribute__((noinline)) void give(pthread_mutex_t *m) {
  pthread_mutex_unlock(m);
}

FR_ALWAYS_INSTRUMENT void pump(pthread_mutex_t *m, fr_recorder *r, int n) {
  for (int i = 0; i < n; i++) { // n: a loop the optimizer cannot unroll
    if (i == n / 2)
      fr_start(r);
    pthread_mutex_lock(m);
    sink++;
    pthread_mutex_unlock(m);
  }
}

int main(void) {
  static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  fr_recorder *r = fr_default_recorder();
  fr_stop(r);
  for (int i = 0; i < 1000; i++) {
    tiny();
    take(&m);
    give(&m);
  }
  recurse(9);
  pump(&m, r, 10);
  for (int i = 0; i < 3; i++)
    tiny();
  recurse(3);
  for (int i = 0; i < 2; i++) {
    take(&m);
    give(&m);
  }
  printf("%u\n", sink);
  return 0;
}
