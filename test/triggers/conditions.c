// Each condition trigger fires when its threshold is crossed and not below
// it: a lock held 5 ms then 60 ms (lock_wait=30ms), a blocking call of 5 ms
// then 60 ms (blocking=30ms), a watched function running 5 ms then 60 ms
// (slow=slow_step:30ms). Exactly one snapshot per run, taken after the slow
// event, which it holds, and whose header names the condition, the thread,
// the site and the duration against the threshold.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/lock-%%n.fr,exit_dump=0,lock_wait=30ms %t lock
// RUN: ls %t.dir | FileCheck %s --check-prefix=LOCKFILES
// RUN: %frtool dump %t.dir/lock-0.fr | FileCheck %s --check-prefix=LOCK
// RUN: env FR_OPTIONS=output=%t.dir/call-%%n.fr,exit_dump=0,blocking=30ms %t call
// RUN: ls %t.dir | FileCheck %s --check-prefix=CALLFILES
// RUN: %frtool dump %t.dir/call-0.fr | FileCheck %s --check-prefix=CALL
// RUN: env FR_OPTIONS=output=%t.dir/func-%%n.fr,exit_dump=0,slow=slow_step:30ms %t func
// RUN: ls %t.dir | FileCheck %s --check-prefix=FUNCFILES
// RUN: %frtool dump %t.dir/func-0.fr | FileCheck %s --check-prefix=FUNC
// Below every threshold: no snapshot at all.
// RUN: env FR_OPTIONS=output=%t.dir/none-%%n.fr,exit_dump=0,lock_wait=100ms,blocking=100ms,slow=slow_step:100ms %t all
// RUN: ls %t.dir | FileCheck %s --check-prefix=NONE
//
// LOCKFILES: lock-0.fr
// LOCKFILES-NOT: lock-1.fr
// LOCK: # trigger condition: lock wait {{[3-9][0-9]\.[0-9]+}}ms > 30.000ms on T[[T:[0-9]+]] at pthread_mutex_lock in contender {{.*}}conditions.c:[[#@LINE+27]]
// LOCK: T[[T]] wait pthread_mutex_lock
// LOCK: T[[T]] acquired pthread_mutex_lock
// CALLFILES: call-0.fr
// CALLFILES-NOT: call-1.fr
// CALL: # trigger condition: blocking call {{[3-9][0-9]\.[0-9]+}}ms > 30.000ms on T{{[0-9]+}} at usleep in main {{.*}}conditions.c:[[#@LINE+48]]
// CALL: call usleep usec=60000
// CALL: return usleep
// FUNCFILES: func-0.fr
// FUNCFILES-NOT: func-1.fr
// FUNC: # trigger condition: function {{[3-9][0-9]\.[0-9]+}}ms > 30.000ms on T{{[0-9]+}} in slow_step {{.*}}conditions.c:[[#@LINE+9]]
// FUNC: exit slow_step
// NONE-NOT: none-
#include "fr.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

FR_ALWAYS_INSTRUMENT void slow_step(int ms) { usleep(ms * 1000); }

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int holding;

static void *contender(void *arg) {
  while (!holding)
    usleep(100);
  pthread_mutex_lock(&lock);
  pthread_mutex_unlock(&lock);
  return arg;
}

// The main thread holds the lock for ms while another thread waits for it.
static void hold_against_waiter(int ms) {
  pthread_t t;
  holding = 0;
  pthread_mutex_lock(&lock);
  pthread_create(&t, NULL, contender, NULL);
  holding = 1;
  usleep(ms * 1000);
  pthread_mutex_unlock(&lock);
  pthread_join(t, NULL);
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "all";
  int all = !strcmp(what, "all");
  if (all || !strcmp(what, "lock")) {
    hold_against_waiter(5);
    hold_against_waiter(60);
  }
  if (all || !strcmp(what, "call")) {
    usleep(5000);
    usleep(60000);
  }
  if (all || !strcmp(what, "func")) {
    slow_step(5);
    slow_step(60);
  }
  usleep(300000); // the snapshot is written by fr's thread meanwhile
  return 0;
}
