// Four threads contend on one mutex whose holder sleeps inside the critical
// section. The program measures, with clock_gettime around each lock call,
// how long its threads waited in total; frtool summary must report that
// lock's total wait within 10% of it, name the lock by its address, and put
// the lock call's file:line at the top of the lock sites.
// RUN: %clang_fr -O0 %s -o %t0 %fr_link
// RUN: rm -f %t0.fr && env FR_OPTIONS=output=%t0.fr %t0 > %t0.vars
// RUN: %frtool summary --json %t0.fr > %t0.json
// RUN: %summary_check %t0.json --vars %t0.vars 'locks[0].addr==$lock_addr' 'locks[0].kind==mutex' 'locks[0].acquired==$acquisitions' 'locks[0].contended>=4' 'locks[0].wait.total_ns~=$measured_wait_ns/10%' 'lock_sites[0].site.file$=/contention.c' 'lock_sites[0].site.line==$lock_line' 'lock_sites[0].site.function==worker' 'lock_sites[0].site.callee==pthread_mutex_lock' 'locks[0].hold.total_ns>=$min_hold_ns'
// RUN: %frtool summary %t0.fr | FileCheck %s
// RUN: %clang_fr -O2 %s -o %t2 %fr_link
// RUN: rm -f %t2.fr && env FR_OPTIONS=output=%t2.fr %t2 > %t2.vars
// RUN: %frtool summary --json %t2.fr > %t2.json
// RUN: %summary_check %t2.json --vars %t2.vars 'locks[0].addr==$lock_addr' 'locks[0].kind==mutex' 'locks[0].acquired==$acquisitions' 'locks[0].contended>=4' 'locks[0].wait.total_ns~=$measured_wait_ns/10%' 'lock_sites[0].site.file$=/contention.c' 'lock_sites[0].site.line==$lock_line' 'lock_sites[0].site.function==worker' 'lock_sites[0].site.callee==pthread_mutex_lock' 'locks[0].hold.total_ns>=$min_hold_ns'
// RUN: %frtool summary %t2.fr | FileCheck %s
//
// CHECK: locks
// CHECK-NEXT: lock kind acquired contended
// CHECK-NEXT: 0x{{[0-9a-f]+}} mutex 80 {{[0-9]+}} 0
// CHECK: lock sites
// CHECK: 80 {{.*}} pthread_mutex_lock worker {{.*}}contention.c:[[#@LINE+22]] lock 0x
// CHECK: longest blocked
// CHECK: T{{[0-9]+}} blocked {{.*}}ms on mutex 0x{{[0-9a-f]+}} (pthread_mutex_lock in worker {{.*}}contention.c:[[#@LINE+20]]) from
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "Inputs/now_ns.h"

enum { THREADS = 4, ROUNDS = 20, HOLD_US = 1000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t measured_wait_ns; // summed under the lock
static int lock_line;

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < ROUNDS; i++) {
    uint64_t before = now_ns();
    __atomic_store_n(&lock_line, __LINE__ + 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&lock);
    uint64_t waited = now_ns() - before;
    measured_wait_ns += waited;
    usleep(HOLD_US); // the forced delay: everyone else waits
    pthread_mutex_unlock(&lock);
    usleep(100);
  }
  return NULL;
}

int main(void) {
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++)
    pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < THREADS; i++)
    pthread_join(t[i], NULL);
  printf("lock_addr=%llu\n", (unsigned long long)(uintptr_t)&lock);
  printf("lock_line=%d\n", lock_line);
  printf("acquisitions=%d\n", THREADS * ROUNDS);
  printf("measured_wait_ns=%llu\n", (unsigned long long)measured_wait_ns);
  printf("min_hold_ns=%d\n", THREADS * ROUNDS * HOLD_US * 1000);
  return 0;
}
