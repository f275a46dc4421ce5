// A site under the budget's floor is never muted, however much of a chunk
// its events fill. A thread calls rare() every 5 ms for 1.5 s, waiting
// without a blocking call (about 400 events a second: the floor at
// budget=0.02% is 1,000), then floods with flood_a() until the budget mutes
// it, then with flood_b(). When the budget runs dry again it recounts the
// chunk, which holds rare's calls of the last 1.5 s beside flood_b's of the
// last few hundred microseconds. A site's rate is judged from the time its
// own events span: rare's share of the chunk times the thread's rate since
// the last mute, what the budget used before, put it at tens of thousands
// of calls a second and muted it.
// The thread starts at once, in the recorder's first millisecond, before
// any slow path has measured the tick rate: its first chunk is budgeted all
// the same (before, it ran to its end unchecked). Run again with the thread
// starting 2 ms later.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=0.02%%,rearm=off %t
// RUN: %frtool dump %t.fr | FileCheck %s
// RUN: %frtool summary %t.fr | FileCheck %s --check-prefix=SUMMARY
// RUN: rm -f %t.later.fr && env FR_OPTIONS=output=%t.later.fr,budget=0.02%%,rearm=off %t later
// RUN: %frtool dump %t.later.fr | FileCheck %s
// RUN: %frtool summary %t.later.fr | FileCheck %s --check-prefix=SUMMARY
#include "fr.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "Inputs/now_ns.h"

static volatile uint64_t sink;

FR_ALWAYS_INSTRUMENT void flood_a(void) { sink++; }
FR_ALWAYS_INSTRUMENT void flood_b(void) { sink++; }
FR_ALWAYS_INSTRUMENT void rare(void) { sink += 2; }

// On a thread of its own: its first chunk is budgeted from its start.
static void *work(void *arg) {
  (void)arg;
  for (int i = 0; i < 300; i++) {
    rare();
    uint64_t until = now_ns() + 5 * 1000 * 1000;
    while (now_ns() < until)
      sink++;
  }
  for (long i = 0; i < 2000000; i++)
    flood_a();
  for (long i = 0; i < 2000000; i++)
    flood_b();
  rare();
  return NULL;
}

int main(int argc, char **argv) {
  (void)argv;
  if (argc > 1) {
    uint64_t until = now_ns() + 2 * 1000 * 1000;
    while (now_ns() < until)
      sink++;
  }
  pthread_t t;
  pthread_create(&t, NULL, work, NULL);
  pthread_join(t, NULL);
  return 0;
}

// CHECK-DAG: muted flood_a {{[0-9]+}}/s
// CHECK-DAG: muted flood_b {{[0-9]+}}/s
// CHECK-NOT: muted rare

// SUMMARY: muted by the overhead budget
// SUMMARY-NOT: rare
