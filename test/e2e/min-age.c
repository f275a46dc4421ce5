// min_age is honoured while memory allows: an exited thread's events from
// ~300 ms ago are in the window when min_age is 10 s, and have aged out when
// min_age is 100 ms (max_bytes is large in both runs).
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: rm -f %t.keep.fr %t.drop.fr
// RUN: env FR_OPTIONS=max_bytes=8MiB,min_age=10s,output=%t.keep.fr %t
// RUN: %frtool dump %t.keep.fr | FileCheck %s --check-prefix=KEEP
// RUN: env FR_OPTIONS=max_bytes=8MiB,min_age=100ms,output=%t.drop.fr %t
// RUN: %frtool dump %t.drop.fr | FileCheck %s --check-prefix=DROP
#include "fr.h"

#include <pthread.h>
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

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, early, NULL);
  pthread_join(t, NULL);
  struct timespec pause = {0, 300 * 1000 * 1000};
  nanosleep(&pause, NULL);
  late_work();
  return 0;
}

// KEEP: enter early_work
// KEEP: enter late_work
// DROP-NOT: early_work
// DROP: enter late_work
