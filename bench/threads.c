// SPDX-License-Identifier: Apache-2.0
// bench/threads.c: how the per-event cost scales with threads, and what
// many short-lived threads leave behind, for bench/runtime.sh.
//
//   threads scale T EVENTS    T threads each record EVENTS function events;
//                             each measures its own CPU time for them and
//                             for as many calls of an uninstrumented twin,
//                             so the cost per event does not depend on how
//                             the 2 cores are shared
//   threads churn N [CALLS]   N threads, 8 at a time, each making CALLS
//                             calls of a recorded function (default 500:
//                             1000 events) and exiting; prints the
//                             recorder's memory and the process's RSS
//                             after each tenth, and the wall time (also
//                             with recording off)
//   threads crowd T CALLS MAX_BYTES
//                             T threads alive at once, each making CALLS
//                             calls of a recorded function (two events
//                             each), then waiting
//                             for all the others: prints the process's CPU
//                             time for the whole, and the recorder's
//                             resident memory with every thread alive
//                             against the documented bound (MAX_BYTES +
//                             the fixed part + 1 KiB per thread). Run
//                             without FR_OPTIONS too: the same work with
//                             recording off.
//
// Run with FR_OPTIONS (recording, no exit snapshot).
#include "fr.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// Per thread: a shared one would measure its cache line bouncing, not fr.
static __thread volatile int sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void recorded_call(int x) {
  sink += x;
}
FR_NEVER_INSTRUMENT __attribute__((noinline)) void plain_call(int x) {
  sink += x;
}

static double thread_cpu_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long events_per_thread;

struct result {
  double recorded_s, plain_s;
};

static void *scale_worker(void *arg) {
  struct result *r = arg;
  long calls = events_per_thread / 2;
  // Alternate in slices so that both halves see the same machine.
  for (int slice = 0; slice < 10; slice++) {
    double a = thread_cpu_s();
    for (long i = 0; i < calls / 10; i++)
      recorded_call((int)i);
    double b = thread_cpu_s();
    for (long i = 0; i < calls / 10; i++)
      plain_call((int)i);
    double c = thread_cpu_s();
    r->recorded_s += b - a;
    r->plain_s += c - b;
  }
  return NULL;
}

static int scale(int threads, long events) {
  pthread_t t[64];
  struct result results[64];
  memset(results, 0, sizeof(results));
  events_per_thread = events;
  if (threads > 64)
    threads = 64;
  for (int i = 0; i < threads; i++)
    pthread_create(&t[i], NULL, scale_worker, &results[i]);
  double worst = 0, sum = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(t[i], NULL);
    double ns = (results[i].recorded_s - results[i].plain_s) * 1e9 / (double)events;
    sum += ns;
    if (ns > worst)
      worst = ns;
  }
  printf("%d threads: %.2f ns per event over plain (mean of threads), worst "
         "thread %.2f\n",
         threads, sum / threads, worst);
  return 0;
}

static long churn_calls = 500;

static void *churn_worker(void *arg) {
  for (long i = 0; i < churn_calls; i++)
    recorded_call((int)i);
  return arg;
}

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof(line), f))
    if (!strncmp(line, "VmRSS:", 6))
      kib = atol(line + 6);
  if (f)
    fclose(f);
  return kib;
}

static int churn(int n) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int done = 0; done < n;) {
    pthread_t t[8];
    int batch = n - done < 8 ? n - done : 8;
    for (int i = 0; i < batch; i++)
      pthread_create(&t[i], NULL, churn_worker, NULL);
    for (int i = 0; i < batch; i++)
      pthread_join(t[i], NULL);
    done += batch;
    if (done % (n / 10 ? n / 10 : 1) == 0)
      printf("after %5d threads: recorder memory %llu KiB, process RSS %ld KiB\n",
             done, (unsigned long long)(fr_memory_bytes() >> 10), rss_kib());
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%d threads of %ld calls: %.3f s\n", n, churn_calls,
         (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}

static pthread_barrier_t crowd_done;
static long crowd_calls;

static void *crowd_worker(void *arg) {
  for (long i = 0; i < crowd_calls; i++)
    recorded_call((int)i);
  pthread_barrier_wait(&crowd_done);
  pthread_barrier_wait(&crowd_done); // until memory has been measured
  return arg;
}

static double process_cpu_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int crowd(int n, long calls, unsigned long long max_bytes) {
  pthread_t *t = calloc((size_t)n, sizeof(*t));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 << 10);
  pthread_barrier_init(&crowd_done, NULL, (unsigned)n + 1);
  crowd_calls = calls;
  int recording = fr_default_recorder() && fr_enabled(fr_default_recorder());
  double cpu0 = process_cpu_s();
  struct timespec w0, w1;
  clock_gettime(CLOCK_MONOTONIC, &w0);
  for (int i = 0; i < n; i++)
    if (pthread_create(&t[i], &attr, crowd_worker, NULL) != 0) {
      fprintf(stderr, "crowd: thread %d could not start (pid_max?)\n", i);
      return 1;
    }
  pthread_barrier_wait(&crowd_done);
  double cpu = process_cpu_s() - cpu0;
  clock_gettime(CLOCK_MONOTONIC, &w1);
  uint64_t resident = fr_memory_bytes();
  uint64_t bound = max_bytes + (64u << 10) + max_bytes / 64 + (uint64_t)n * 1024;
  pthread_barrier_wait(&crowd_done);
  for (int i = 0; i < n; i++)
    pthread_join(t[i], NULL);
  double wall = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
  printf("%6d threads x %ld calls, %s: cpu %.3f s (%.2f ns/call), wall %.3f s, "
         "recorder resident %llu KiB (bound %llu KiB: %s)\n",
         n, calls, recording ? "recording" : "off      ", cpu,
         cpu * 1e9 / ((double)n * (double)calls), wall,
         (unsigned long long)resident >> 10, (unsigned long long)bound >> 10,
         resident <= bound ? "within" : "OVER");
  free(t);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 5 && !strcmp(argv[1], "crowd"))
    return crowd(atoi(argv[2]), atol(argv[3]), strtoull(argv[4], NULL, 10));
  if (argc >= 3 && !strcmp(argv[1], "churn")) { // recording or not
    if (argc >= 4)
      churn_calls = atol(argv[3]);
    return churn(atoi(argv[2]));
  }
  if (!fr_default_recorder()) {
    fprintf(stderr, "threads: run with FR_OPTIONS set (recording)\n");
    return 2;
  }
  if (argc >= 4 && !strcmp(argv[1], "scale"))
    return scale(atoi(argv[2]), atol(argv[3]));
  fprintf(stderr, "usage: threads scale T EVENTS | threads churn N [CALLS] | "
                  "threads crowd T CALLS MAX_BYTES\n");
  return 2;
}
