// demo.c: a small service with an occasional slow request, recorded by fr.
//
// Four worker threads take "requests" from a shared counter under a mutex
// and handle each with parse -> compute -> respond. About one request in 5000
// takes a slow path (a 30 ms wait on a "backend"). The program keeps the last
// seconds in fr's window and, when it sees a slow request, writes a snapshot
// with the API: the window that led up to the slow request.
//
// Built with the plugin (examples/run-demo.sh); threshold=0 via
// FR_PASS_OPTIONS so that even these small functions are recorded.
#define _GNU_SOURCE
#include "fr.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static int next_request;
static const int total_requests = 30000;
static volatile int snapshot_taken;
static const char *snapshot_path;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

__attribute__((noinline)) int parse(int id) { return id * 2654435761u >> 7; }

__attribute__((noinline)) uint64_t compute(int key) {
  uint64_t h = 1469598103934665603u;
  for (int i = 0; i < 200; i++)
    h = (h ^ (uint64_t)(key + i)) * 1099511628211u;
  return h;
}

__attribute__((noinline)) void wait_for_backend(void) {
  struct timespec ts = {0, 30 * 1000 * 1000};
  nanosleep(&ts, NULL);
}

__attribute__((noinline)) uint64_t respond(uint64_t h) { return h ^ (h >> 17); }

__attribute__((noinline)) uint64_t handle(int id) {
  int key = parse(id);
  uint64_t h = compute(key);
  if (key % 4999 == 7)
    wait_for_backend(); // the rare slow path
  return respond(h);
}

static void take_snapshot(int id, uint64_t ms) {
  if (__atomic_exchange_n(&snapshot_taken, 1, __ATOMIC_ACQ_REL))
    return;
  int fd = open(snapshot_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    perror(snapshot_path);
    return;
  }
  int r = fr_write_to_fd(fr_default_recorder(), fd);
  close(fd);
  printf("demo: request %d took %.1f ms; snapshot %s: %s\n", id, (double)ms,
         snapshot_path, fr_strerror(r));
}

static void *worker(void *arg) {
  char name[16];
  snprintf(name, sizeof(name), "worker-%ld", (long)arg);
  pthread_setname_np(pthread_self(), name);
  uint64_t sink = 0;
  for (;;) {
    pthread_mutex_lock(&queue_lock);
    int id = next_request < total_requests ? next_request++ : -1;
    pthread_mutex_unlock(&queue_lock);
    if (id < 0)
      break;
    uint64_t start = now_ns();
    sink += handle(id);
    uint64_t ms = (now_ns() - start) / 1000000;
    // Let a few more requests run after the slow one, then snapshot: the
    // window holds what led up to it and the slow request itself.
    if (ms >= 20)
      take_snapshot(id, ms);
  }
  return (void *)(uintptr_t)sink;
}

int main(int argc, char **argv) {
  snapshot_path = argc > 1 ? argv[1] : "demo.fr";
  if (!fr_default_recorder()) {
    fprintf(stderr, "demo: run with FR_OPTIONS set (see run-demo.sh)\n");
    return 1;
  }
  pthread_t t[4];
  for (long i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, worker, (void *)i);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  printf("demo: %d requests handled\n", total_requests);
  return snapshot_taken ? 0 : 1;
}
