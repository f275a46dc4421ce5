// A call in progress when the budget mutes its function leaves no dangling
// entry. Thread "waiter" enters outer() and waits there; thread "hammer"
// then calls outer() two million times, so the budget mutes it process-wide
// while waiter is inside; then waiter returns. Waiter's entry of outer() was
// recorded and its exit could not be: readers close the call at its
// caller's exit and count it, untimed ("muted while they ran"), rather than
// leave it open to the snapshot or time it as a call as long as the wait;
// the export ends its slice there too, saying its end was not recorded.
// Every export pairs each begin with an end.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=0.02%%,rearm=off %t
// RUN: %frtool validate %t.fr
// RUN: %frtool summary %t.fr | FileCheck %s
// RUN: %frtool summary --json %t.fr | FileCheck %s --check-prefix=JSON
// RUN: %frtool export --format=chrome %t.fr -o %t.json
// RUN: python3 %inputs/chrome_events.py %t.json | FileCheck %s --check-prefix=CHROME
#include "fr.h"

#include <pthread.h>
#include <stdint.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int waiter_inside, hammer_done;
static volatile uint64_t sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void outer(int wait) {
  sink++;
  if (!wait)
    return;
  pthread_mutex_lock(&mu);
  waiter_inside = 1;
  pthread_cond_broadcast(&cv);
  while (!hammer_done)
    pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) static void *waiter(void *arg) {
  (void)arg;
  outer(1);
  return NULL;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) static void *hammer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  while (!waiter_inside)
    pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  for (int i = 0; i < 2000000; i++)
    outer(0);
  pthread_mutex_lock(&mu);
  hammer_done = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  pthread_t w, h;
  pthread_create(&w, NULL, waiter, NULL);
  pthread_create(&h, NULL, hammer, NULL);
  pthread_join(h, NULL);
  pthread_join(w, NULL);
  return 0;
}

// CHECK: 1 calls of sites the budget muted while they ran (their exits not recorded): not timed
// CHECK: functions
// CHECK-NOT: in progress
// CHECK: outer {{.*}}budget-muted-midcall.c:{{[0-9]+}} (muted
// CHECK: muted by the overhead budget
// CHECK: function outer

// JSON: "muted_open_calls":1

// The export closes the waiter's call where its caller ends, and says its
// end was not recorded; every thread's begins and ends pair.
// CHROME: E {{[0-9]+}} {{[0-9.]+}} {"end": "not recorded: muted while it ran"}
// CHROME-NOT: muted while it ran
// CHROME: balanced
