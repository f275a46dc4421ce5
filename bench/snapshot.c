// SPDX-License-Identifier: Apache-2.0
// bench/snapshot.c: what a snapshot costs, for bench/runtime.sh.
//
//   snapshot write MiB FILE   fill a MiB window, then time fr_write_to_fd of
//                             the full window into FILE, 5 times
//   snapshot cost EVENTS [every_ms]
//                             one thread records EVENTS function events and
//                             reports ns per event; with every_ms, another
//                             thread writes a snapshot (to /dev/null) every
//                             every_ms meanwhile
//
// Built with the plugin (recorded_call is instrumented) and run without
// FR_OPTIONS: the recorder is this program's own, started through the API.
#include "fr.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void recorded_call(int x) {
  sink += x;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int write_bench(unsigned mib, const char *path) {
  fr_config config = {.min_age_ns = 3600ull * 1000000000, .max_bytes = (uint64_t)mib << 20,
                       .budget_percent = FR_BUDGET_UNLIMITED};
  fr_recorder *r = fr_new(&config);
  if (!r || fr_start(r) != FR_OK) {
    fprintf(stderr, "snapshot: could not start the recorder\n");
    return 1;
  }
  // Fill the window: at about 2 bytes per event, twice its size in events.
  long events = (long)mib << 21;
  for (long i = 0; i < events / 2; i++)
    recorded_call((int)i);
  double seconds[5];
  off_t size = 0;
  for (int run = 0; run < 5; run++) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
      perror(path);
      return 1;
    }
    double start = now_s();
    int err = fr_write_to_fd(r, fd);
    seconds[run] = now_s() - start;
    size = lseek(fd, 0, SEEK_END);
    close(fd);
    if (err != FR_OK) {
      fprintf(stderr, "snapshot: write_to: %s\n", fr_strerror(err));
      return 1;
    }
  }
  qsort(seconds, 5, sizeof(double), compare_double);
  printf("write_to of a %u MiB window: %lld bytes, best %.1f ms, median %.1f ms, "
         "worst %.1f ms\n",
         mib, (long long)size, seconds[0] * 1e3, seconds[2] * 1e3,
         seconds[4] * 1e3);
  fr_free(r);
  return 0;
}

static fr_recorder *recorder;
static volatile int writing_done;
static unsigned every_ms;
static long snapshots_written;

static void *snapshot_loop(void *arg) {
  int fd = open("/dev/null", O_WRONLY);
  while (!writing_done) {
    struct timespec pause = {0, (long)every_ms * 1000000};
    nanosleep(&pause, NULL);
    if (fr_write_to_fd(recorder, fd) == FR_OK)
      snapshots_written++;
  }
  close(fd);
  return arg;
}

static int cost_bench(long events, unsigned every) {
  fr_config config = {.max_bytes = 64ull << 20,
                       .budget_percent = FR_BUDGET_UNLIMITED};
  recorder = fr_new(&config);
  if (!recorder || fr_start(recorder) != FR_OK) {
    fprintf(stderr, "snapshot: could not start the recorder\n");
    return 1;
  }
  for (long i = 0; i < events / 4; i++) // warm: the window's chunks mapped
    recorded_call((int)i);
  pthread_t snapshotter;
  every_ms = every;
  if (every && pthread_create(&snapshotter, NULL, snapshot_loop, NULL) != 0)
    return 1;
  double start = now_s();
  for (long i = 0; i < events / 2; i++)
    recorded_call((int)i);
  double seconds = now_s() - start;
  writing_done = 1;
  if (every)
    pthread_join(snapshotter, NULL);
  printf("%.2f ns per event over %ld events, %ld snapshots written meanwhile\n",
         seconds * 1e9 / (double)events, events, snapshots_written);
  fr_free(recorder);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 4 && !strcmp(argv[1], "write"))
    return write_bench((unsigned)atoi(argv[2]), argv[3]);
  if (argc >= 3 && !strcmp(argv[1], "cost"))
    return cost_bench(atol(argv[2]), argc > 3 ? (unsigned)atoi(argv[3]) : 0);
  fprintf(stderr, "usage: snapshot write MiB FILE | snapshot cost EVENTS [every_ms]\n");
  return 2;
}
