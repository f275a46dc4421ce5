// The overhead budget (here 0.2%, judged over a second, so that each phase
// is over it however a loaded machine schedules it) mutes what a thread
// records most, and nothing else. A
// function called tens of millions of times a second stops being recorded; a
// function called every 10 ms is recorded throughout. A lock site muted for
// its uncontended acquisitions still records a contended wait, and a
// blocking call site muted for its fast calls still records a slow one. The
// snapshot lists what was muted, when, and at what rate; with budget=off
// nothing is.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=0.2%% %t
// RUN: %frtool validate %t.fr
// RUN: %frtool summary %t.fr | FileCheck %s
// RUN: %frtool summary %t.fr | FileCheck %s --check-prefix=MUTED
// RUN: %frtool dump %t.fr | FileCheck %s --check-prefix=DUMP
// RUN: %frtool summary --json %t.fr | FileCheck %s --check-prefix=JSON
// RUN: rm -f %t.off.fr && env FR_OPTIONS=output=%t.off.fr,budget=off %t
// RUN: %frtool summary %t.off.fr | FileCheck %s --check-prefix=OFF
// The muted functions as a plugin list: a build with it leaves hot out.
// RUN: %frtool summary --muted-list %t.fr > %t.list
// RUN: FileCheck %s --check-prefix=LIST < %t.list
// RUN: env FR_PASS_OPTIONS=list=%t.list %clang_fr -O1 %s -o %t.rebuilt %fr_link
// RUN: rm -f %t.rebuilt.fr && env FR_OPTIONS=output=%t.rebuilt.fr,budget=off %t.rebuilt
// RUN: %frtool summary %t.rebuilt.fr | FileCheck %s --check-prefix=REBUILT
// RUN: %frtool summary %t.rebuilt.fr | FileCheck %s --check-prefix=NOHOT
#include "fr.h"

#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "Inputs/in_syscall.h"

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static int held; // an atomic: the TSan tier runs this
static volatile uint64_t sink;

FR_ALWAYS_INSTRUMENT void hot(void) { sink++; }
FR_ALWAYS_INSTRUMENT void rare(void) { sink += 2; }

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

FR_ALWAYS_INSTRUMENT void take(void) { // one acquire site, one release site
  pthread_mutex_lock(&mutex);
  sink++;
  pthread_mutex_unlock(&mutex);
}

FR_ALWAYS_INSTRUMENT void wait_for(int ms) { poll(NULL, 0, ms); }

static volatile int main_tid;

// Holds the mutex until the main thread is waiting for it: a contended
// acquisition however the machine schedules the two.
static void *holder(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mutex);
  __atomic_store_n(&held, 1, __ATOMIC_RELEASE);
  while (!in_syscall(main_tid, SYS_futex, (unsigned long)&mutex,
                     (unsigned long)&mutex))
    usleep(1000);
  pthread_mutex_unlock(&mutex);
  return NULL;
}

// Calls step() calls times, and rare() every 10 ms. By count, not for a
// time: a phase is over the budget however little of the CPU a loaded
// machine gives it (at most 100,000 events a second at 0.2%, judged over a
// second: the poll phase records a million events).
static void phase(void (*step)(void), long calls) {
  double next_rare = now_ms();
  for (long done = 0; done < calls; done += 100) {
    double t = now_ms();
    if (t >= next_rare) {
      rare();
      next_rare = t + 10;
    }
    for (int i = 0; i < 100; i++)
      step();
  }
}

static void poll_now(void) { wait_for(0); }

int main(void) {
  phase(hot, 20000000);
  phase(take, 2000000);
  phase(poll_now, 250000);
  // The lock site is muted: its contended wait is still recorded.
  pthread_t t;
  main_tid = (int)syscall(SYS_gettid);
  pthread_create(&t, NULL, holder, NULL);
  while (!__atomic_load_n(&held, __ATOMIC_ACQUIRE))
    ;
  take();
  pthread_join(t, NULL);
  // The poll site is muted: a slow call is still recorded.
  wait_for(5);
  rare();
  return 0;
}

// CHECK: budget: 0.2% of each thread's time; {{[0-9]+}} sites muted by it
// CHECK: functions
// CHECK: rare
// The muted lock site's contended acquisition (the holder lets go once the
// main thread waits), then a slow poll at the muted poll site (on a loaded
// machine fast polls descheduled for a millisecond are slow calls too).
// CHECK: lock sites
// CHECK: {{^ +[0-9]+ +[1-9][0-9]* +0 .*}}pthread_mutex_lock take
// CHECK: longest blocked
// CHECK: T1 blocked {{[0-9.]+}}ms in poll {{.*}}(wait_for

// The rate each was muted at is what the thread measured, in wall-clock
// time: tens of millions of calls a second on an idle machine, far fewer on
// one that deschedules the thread (986,186 once in CI), so no figure is
// asserted.
// MUTED: muted by the overhead budget
// MUTED-DAG: {{[1-9][0-9]*}} {{ *[0-9.]+}} ms {{(-|[0-9.]+ ms)}}  function  hot
// MUTED-DAG: lock      pthread_mutex_lock in take
// MUTED-DAG: lock      pthread_mutex_unlock in take
// MUTED-DAG: blocking  poll in wait_for
// MUTED-NOT: rare

// DUMP: muted hot {{[0-9]+}}/s
// DUMP: muted pthread_mutex_{{(un)?}}lock in take {{[0-9]+}}/s
// DUMP: muted poll in wait_for {{[0-9]+}}/s

// JSON: "budget_percent":0.2,"muted":[
// JSON: {"kind":"function","site":{"id":{{[0-9]+}},"function":"hot"

// OFF-NOT: budget:
// OFF-NOT: muted

// LIST: # Functions the overhead budget muted
// LIST: deny fun:hot
// LIST-NOT: rare
// REBUILT: functions
// REBUILT: rare test/e2e/budget.c
// NOHOT-NOT: hot test/e2e/budget.c
