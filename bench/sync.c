// SPDX-License-Identifier: Apache-2.0
// bench/sync.c: lock and blocking-call micro-benchmarks for bench/sync.sh.
//
//   sync mutex N       one thread: N x (pthread_mutex_lock; unlock), never
//                      contended: fr records one acquire and one release
//   sync contended N   two threads, each N x (lock; x++; unlock) on one mutex
//   sync write N       one thread: N x write(/dev/null, 1 byte): fr records a
//                      call and a return event
// Prints seconds=S ops=N. Built plain and with the plugin (all call sites).
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile long counter;
static long iterations;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *lock_loop(void *arg) {
  for (long i = 0; i < iterations; i++) {
    pthread_mutex_lock(&lock);
    counter++;
    pthread_mutex_unlock(&lock);
  }
  return arg;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  iterations = atol(argv[2]);
  double start = now();
  long ops = iterations;
  if (!strcmp(argv[1], "mutex")) {
    lock_loop(NULL);
  } else if (!strcmp(argv[1], "contended")) {
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
      pthread_create(&t[i], NULL, lock_loop, NULL);
    for (int i = 0; i < 2; i++)
      pthread_join(t[i], NULL);
    ops = 2 * iterations;
  } else if (!strcmp(argv[1], "write")) {
    int fd = open("/dev/null", O_WRONLY);
    for (long i = 0; i < iterations; i++)
      write(fd, "x", 1);
    close(fd);
  } else {
    return 2;
  }
  printf("seconds=%.6f ops=%ld\n", now() - start, ops);
  return 0;
}
