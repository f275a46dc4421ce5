// A user's ThreadSanitizer build of an instrumented program reports nothing
// in the code fr inserted: the runtime flips guard bytes (fr_start, fr_stop)
// while other threads run their guarded hooks. The plugin marks its loads
// !nosanitize, and atomic under TSan (LLVM 14's TSan ignores !nosanitize on
// loads: it reported a race on __fr_guards between fr_stop's store and the
// worker's guard load).
// REQUIRES: tsan
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: %t 2>&1 | FileCheck %s
// CHECK-NOT: WARNING: ThreadSanitizer
// CHECK: done
#include "fr.h"

#include <pthread.h>
#include <stdio.h>

static volatile int stop;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int step(int x) {
  return x * 3 + 1;
}

static void *worker(void *arg) {
  (void)arg;
  int x = 0;
  while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
    x = step(x);
  return NULL;
}

int main(void) {
  fr_config cfg = {0, 1 << 20, FR_BUDGET_UNLIMITED};
  fr_recorder *r = fr_new(&cfg);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  for (int i = 0; i < 200; i++) {
    fr_start(r);
    step(i);
    fr_stop(r);
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
  pthread_join(t, NULL);
  printf("done\n");
  return 0;
}
