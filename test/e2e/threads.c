// Four threads record; all have exited and been joined before the exit-time
// snapshot, yet each one's events, start and exit are in it, under its name.
// RUN: %clang_fr -O0 %s -o %t0 %fr_link
// RUN: rm -f %t0.fr && env FR_OPTIONS=output=%t0.fr %t0
// RUN: %frtool dump %t0.fr | FileCheck %s
// RUN: %clang_fr -O2 %s -o %t2 %fr_link
// RUN: rm -f %t2.fr && env FR_OPTIONS=output=%t2.fr %t2
// RUN: %frtool dump %t2.fr | FileCheck %s
#define _GNU_SOURCE
#include "fr.h"

#include <pthread.h>
#include <stdio.h>

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void work(int id) {
  __asm__ volatile("" ::"r"(id));
}

FR_ALWAYS_INSTRUMENT void *worker(void *arg) {
  char name[16];
  snprintf(name, sizeof(name), "worker-%d", (int)(long)arg);
  pthread_setname_np(pthread_self(), name);
  for (int i = 0; i < 3; i++)
    work((int)(long)arg);
  return NULL;
}

FR_NEVER_INSTRUMENT int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, worker, (void *)i);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  return 0;
}

// CHECK-DAG: # thread T{{[0-9]+}} tid {{[0-9]+}} name "worker-0"
// CHECK-DAG: # thread T{{[0-9]+}} tid {{[0-9]+}} name "worker-1"
// CHECK-DAG: # thread T{{[0-9]+}} tid {{[0-9]+}} name "worker-2"
// CHECK-DAG: # thread T{{[0-9]+}} tid {{[0-9]+}} name "worker-3"
// Each worker thread: start, enter worker, 3 x (enter/exit work), exit, exit;
// main is not instrumented, so it never starts recording.
// CHECK-COUNT-4: thread-start
// CHECK-NOT: thread-start
// RUN: %frtool dump %t2.fr | grep -c 'enter work ' | FileCheck %s --check-prefix=WORK
// WORK: 12
// RUN: %frtool dump %t2.fr | grep -c 'thread-exit' | FileCheck %s --check-prefix=EXITS
// EXITS: 4
// RUN: %frtool dump --thread=2 %t2.fr | FileCheck %s --check-prefix=ONE
// ONE: T2 thread-start
// ONE-NEXT: T2 enter worker
// ONE-NEXT: T2 enter work
// ONE-NEXT: T2 exit work
// ONE-NEXT: T2 enter work
// ONE-NEXT: T2 exit work
// ONE-NEXT: T2 enter work
// ONE-NEXT: T2 exit work
// ONE-NEXT: T2 exit worker
// ONE-NEXT: T2 thread-exit
