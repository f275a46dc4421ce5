// Each condition trigger fires when its threshold is crossed and not below
// it: a lock held 2 ms then 150 ms (lock_wait=50ms), a blocking call of 2 ms
// then 150 ms (blocking=50ms), a watched function running 2 ms then 150 ms
// (slow=slow_step:50ms). Exactly one snapshot per run, taken after the slow
// event, which it holds, and whose header names the condition, the thread,
// the site and the duration against the threshold.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/lock-%%n.fr,exit_dump=0,lock_wait=50ms %t lock %t.dir/lock-0.fr
// RUN: ls %t.dir | FileCheck %s --check-prefix=LOCKFILES
// RUN: %frtool dump %t.dir/lock-0.fr | FileCheck %s --check-prefix=LOCK
// RUN: env FR_OPTIONS=output=%t.dir/call-%%n.fr,exit_dump=0,blocking=50ms %t call %t.dir/call-0.fr
// RUN: ls %t.dir | FileCheck %s --check-prefix=CALLFILES
// RUN: %frtool dump %t.dir/call-0.fr | FileCheck %s --check-prefix=CALL
// RUN: env FR_OPTIONS=output=%t.dir/func-%%n.fr,exit_dump=0,slow=slow_step:50ms %t func %t.dir/func-0.fr
// RUN: ls %t.dir | FileCheck %s --check-prefix=FUNCFILES
// RUN: %frtool dump %t.dir/func-0.fr | FileCheck %s --check-prefix=FUNC
// dump --trigger shows the call that fired the trigger, not the thread's
// last: fast calls of slow_step follow the slow one.
// RUN: %frtool dump --trigger %t.dir/func-0.fr | FileCheck %s --check-prefix=FUNCTRIG
// RUN: %frtool dump --trigger %t.dir/lock-0.fr | FileCheck %s --check-prefix=LOCKTRIG
// The slow call 300 frames deep (the search once followed 256).
// RUN: env FR_OPTIONS=output=%t.dir/deep-%%n.fr,exit_dump=0,slow=slow_step:50ms %t deep %t.dir/deep-0.fr
// RUN: %frtool dump --trigger %t.dir/deep-0.fr | FileCheck %s --check-prefix=FUNCTRIG
// RUN: not %frtool dump --trigger %inputs/handmade.fr 2>&1 | FileCheck %s --check-prefix=NOTRIG
// NOTRIG: frtool dump: --trigger: this snapshot was not taken by a condition
// FUNCTRIG: # trigger condition: function
// FUNCTRIG: enter slow_step
// FUNCTRIG-NEXT: call usleep usec=150000
// FUNCTRIG-NEXT: return usleep
// FUNCTRIG-NEXT: exit slow_step
// FUNCTRIG-NOT: slow_step
// LOCKTRIG: wait pthread_mutex_lock
// LOCKTRIG-NEXT: acquired pthread_mutex_lock
// LOCKTRIG-NOT: pthread_mutex
// Below every threshold: no snapshot at all.
// RUN: env FR_OPTIONS=output=%t.dir/none-%%n.fr,exit_dump=0,lock_wait=1s,blocking=1s,slow=slow_step:1s %t all
// RUN: ls %t.dir | FileCheck %s --check-prefix=NONE
//
// LOCKFILES: lock-0.fr
// LOCKFILES-NOT: lock-1.fr
// LOCK: # trigger condition: lock wait {{[0-9]+\.[0-9]+}}ms > 50.000ms on T[[T:[0-9]+]] at pthread_mutex_lock in contender {{.*}}conditions.c:[[#@LINE+41]]
// LOCK: T[[T]] wait pthread_mutex_lock
// LOCK: T[[T]] acquired pthread_mutex_lock
// CALLFILES: call-0.fr
// CALLFILES-NOT: call-1.fr
// CALL: # trigger condition: blocking call {{[0-9]+\.[0-9]+}}ms > 50.000ms on T{{[0-9]+}} at usleep in main {{.*}}conditions.c:[[#@LINE+62]]
// CALL: call usleep usec=150000
// CALL: return usleep
// FUNCFILES: func-0.fr
// FUNCFILES-NOT: func-1.fr
// FUNC: # trigger condition: function {{[0-9]+\.[0-9]+}}ms > 50.000ms on T{{[0-9]+}} in slow_step {{.*}}conditions.c:[[#@LINE+10]]
// FUNC: exit slow_step
// NONE-NOT: none-
#include "fr.h"

#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FR_ALWAYS_INSTRUMENT void slow_step(int ms) { usleep(ms * 1000); }

// 300 instrumented frames, then a fast, a slow and fast calls of slow_step.
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void descend(int depth) {
  if (depth == 0) {
    slow_step(2);
    slow_step(150);
    for (int i = 0; i < 3; i++)
      slow_step(1);
    return;
  }
  descend(depth - 1);
  __asm__ volatile("");
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int holding; // an atomic: TSan tier

static void *contender(void *arg) {
  while (!__atomic_load_n(&holding, __ATOMIC_ACQUIRE))
    usleep(100);
  pthread_mutex_lock(&lock);
  pthread_mutex_unlock(&lock);
  return arg;
}

// The main thread holds the lock for ms while another thread waits for it.
static void hold_against_waiter(int ms) {
  pthread_t t;
  __atomic_store_n(&holding, 0, __ATOMIC_RELEASE);
  pthread_mutex_lock(&lock);
  pthread_create(&t, NULL, contender, NULL);
  __atomic_store_n(&holding, 1, __ATOMIC_RELEASE);
  usleep(ms * 1000);
  pthread_mutex_unlock(&lock);
  pthread_join(t, NULL);
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "all";
  int all = !strcmp(what, "all");
  if (all || !strcmp(what, "lock")) {
    hold_against_waiter(2);
    hold_against_waiter(150);
  }
  if (all || !strcmp(what, "call")) {
    usleep(2000);
    usleep(150000);
  }
  if (!strcmp(what, "deep"))
    descend(300);
  if (all || !strcmp(what, "func")) {
    slow_step(2);
    slow_step(150);
    for (int i = 0; i < 3; i++)
      slow_step(1);
  }
  // fr's own thread writes the snapshot meanwhile: wait for it (argv[2]),
  // or a while when none is expected.
  struct stat st;
  for (int i = 0; i < (argc > 2 ? 500 : 30); i++) {
    if (argc > 2 && stat(argv[2], &st) == 0)
      break;
    usleep(10000);
  }
  usleep(100000); // and for it to finish writing
  return 0;
}
