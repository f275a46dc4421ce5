// SPDX-License-Identifier: Apache-2.0
// bench/wakeup.c: what a thread that wakes every PERIOD_US microseconds
// costs a busy core, as the counted tier's first clock did every 1 ms (a
// thread of the runtime's own, removed for this cost: docs/budget.md,
// "Counted calls"). A loop of fixed work runs alone, then beside such
// a thread, each ROUNDS times in turn; run it pinned to one core, where the
// sleeper's wakeups take the loop's time:
//   cc -O2 -pthread bench/wakeup.c -o wakeup && taskset -c 1 ./wakeup 1000 5
// prints the loop's fastest time each way and the ratio.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile int stop;
static long period_us;

static void *sleeper(void *arg) {
  (void)arg;
  struct timespec period = {period_us / 1000000, (period_us % 1000000) * 1000};
  while (!stop)
    nanosleep(&period, NULL);
  return NULL;
}

static double seconds_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double timed_loop(void) {
  volatile unsigned long sink = 0;
  double start = seconds_now();
  for (unsigned long i = 0; i < 1000000000ul; i++)
    sink += i;
  return seconds_now() - start;
}

int main(int argc, char **argv) {
  period_us = argc > 1 ? atol(argv[1]) : 1000;
  int rounds = argc > 2 ? atoi(argv[2]) : 5;
  if (period_us <= 0 || rounds <= 0) {
    fprintf(stderr, "usage: wakeup [PERIOD_US] [ROUNDS]\n");
    return 2;
  }
  double alone = 1e9, beside = 1e9;
  for (int r = 0; r < rounds; r++) {
    double t = timed_loop();
    alone = t < alone ? t : alone;
    stop = 0;
    pthread_t th;
    if (pthread_create(&th, NULL, sleeper, NULL) != 0)
      return 1;
    t = timed_loop();
    beside = t < beside ? t : beside;
    stop = 1;
    pthread_join(th, NULL);
  }
  printf("alone %.3f s, beside a thread waking every %ld us %.3f s: %.3fx\n",
         alone, period_us, beside, beside / alone);
  return 0;
}
