// min_age is a retention bound applied when chunks are recycled: an exited
// thread's chunk from ~300 ms ago stays while memory allows (min_age 10 s:
// the busy main thread takes unused chunks first), and is the first one
// recycled once it is older than min_age (100 ms), before any unused chunk.
// With nothing to recycle, old chunks are never filtered out of a snapshot.
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: rm -f %t.keep.fr %t.drop.fr %t.idle.fr
// RUN: env FR_OPTIONS=max_bytes=8MiB,min_age=10s,budget=off,output=%t.keep.fr %t 200000
// RUN: %frtool dump %t.keep.fr | FileCheck %s --check-prefix=KEEP
// RUN: env FR_OPTIONS=max_bytes=8MiB,min_age=100ms,budget=off,output=%t.drop.fr %t 200000
// RUN: %frtool dump %t.drop.fr | FileCheck %s --check-prefix=DROP
// RUN: env FR_OPTIONS=max_bytes=8MiB,min_age=100ms,budget=off,output=%t.idle.fr %t 1
// RUN: %frtool dump %t.idle.fr | FileCheck %s --check-prefix=KEEP
#include "fr.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void early_work(void) {
  __asm__ volatile("");
}
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void late_work(void) {
  __asm__ volatile("");
}

static void *early(void *arg) {
  early_work();
  return arg;
}

int main(int argc, char **argv) {
  long calls = argc > 1 ? atol(argv[1]) : 1;
  pthread_t t;
  pthread_create(&t, NULL, early, NULL);
  pthread_join(t, NULL);
  struct timespec pause = {0, 300 * 1000 * 1000};
  nanosleep(&pause, NULL);
  // 200000 calls: 400000 events, a dozen 32 KiB chunks.
  for (long i = 0; i < calls; i++)
    late_work();
  return 0;
}

// KEEP: enter early_work
// KEEP: enter late_work
// DROP-NOT: early_work
// DROP: enter late_work
