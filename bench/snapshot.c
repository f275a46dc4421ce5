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
//   snapshot signal MiB DIR   run with FR_OPTIONS (max_bytes=MiB,
//                             output=DIR/..., rate=1ms): fill the window,
//                             then 5 times send the snapshot signal to
//                             itself and time how long the signalled thread
//                             stopped (the kill() call, whose handler runs
//                             before it returns), waiting for each file
//
// Built with the plugin (recorded_call is instrumented) and run without
// FR_OPTIONS (but for signal): the recorder is this program's own, started
// through the API.
#include "fr.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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

// Fills a window of mib MiB: at about 2 bytes per event, twice its size in
// events (a call is two).
static void fill_window(unsigned mib) {
  long events = (long)mib << 21;
  for (long i = 0; i < events / 2; i++)
    recorded_call((int)i);
}

static int write_bench(unsigned mib, const char *path) {
  fr_config config = {.min_age_ns = 3600ull * 1000000000, .max_bytes = (uint64_t)mib << 20,
                       .budget_percent = FR_BUDGET_UNLIMITED};
  fr_recorder *r = fr_new(&config);
  if (!r || fr_start(r) != FR_OK) {
    fprintf(stderr, "snapshot: could not start the recorder\n");
    return 1;
  }
  fill_window(mib);
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

static int count_files(const char *dir) {
  char command[4200];
  snprintf(command, sizeof(command), "ls %s | grep -c '\\.fr$'", dir);
  FILE *p = popen(command, "r");
  int n = 0;
  if (p && fscanf(p, "%d", &n) != 1)
    n = 0;
  if (p)
    pclose(p);
  return n;
}

static int signal_bench(unsigned mib, const char *dir) {
  if (!fr_default_recorder()) {
    fprintf(stderr, "snapshot signal: run with FR_OPTIONS\n");
    return 2;
  }
  fill_window(mib);
  double stall[5];
  for (int run = 0; run < 5; run++) {
    int before = count_files(dir);
    double a = now_s();
    kill(getpid(), SIGUSR2);
    stall[run] = now_s() - a;
    double waited = now_s();
    while (count_files(dir) == before && now_s() - waited < 30)
      usleep(5000);
    usleep(20000); // rate=1ms: the next one is accepted
  }
  qsort(stall, 5, sizeof(stall[0]), compare_double);
  printf("snapshot signal, %u MiB window: the signalled thread stopped best "
         "%.2f ms, median %.2f ms, worst %.2f ms (%d files)\n",
         mib, stall[0] * 1e3, stall[2] * 1e3, stall[4] * 1e3, count_files(dir));
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 4 && !strcmp(argv[1], "signal"))
    return signal_bench((unsigned)atoi(argv[2]), argv[3]);
  if (argc >= 4 && !strcmp(argv[1], "write"))
    return write_bench((unsigned)atoi(argv[2]), argv[3]);
  if (argc >= 3 && !strcmp(argv[1], "cost"))
    return cost_bench(atol(argv[2]), argc > 3 ? (unsigned)atoi(argv[3]) : 0);
  fprintf(stderr, "usage: snapshot write MiB FILE | snapshot cost EVENTS [every_ms]\n");
  return 2;
}
