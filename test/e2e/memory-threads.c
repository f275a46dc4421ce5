// max_bytes is a bound whatever the thread count: 3000 threads record into
// a 1 MiB window (256 chunks of 4 KiB), then all wait on a condition
// variable. The recorder's resident memory (fr_memory_bytes) stays within
// max_bytes + the fixed part (two scratch chunks and 152 bytes of
// bookkeeping per chunk, under 64 KiB here) + FR_THREAD_STATE_BYTES (1 KiB)
// per thread: no chunk beyond the pool. Threads that found no chunk dropped
// their events and say so; threads that block give their chunk back while
// others go without. Every live thread is in the snapshot, with the
// condition wait it blocks in, even those whose events went for want of
// space. A debug runtime checks the pool's invariants at every change.
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: %t %t.fr 3000 | FileCheck %s
// RUN: %frtool validate %t.fr | FileCheck %s --check-prefix=VALID
// RUN: %frtool summary %t.fr | grep -c "blocked on cond .* since" | FileCheck %s --check-prefix=BLOCKED
// RUN: %frtool summary %t.fr | FileCheck %s --check-prefix=LOST
// RUN: %clang_fr -O2 %s -o %t.debug %fr_link_debug
// RUN: %t.debug %t.debug.fr 1000 | FileCheck %s
// RUN: %frtool validate %t.debug.fr | FileCheck %s --check-prefix=VALID-DEBUG
// CHECK: recorder resident {{[0-9]+}} KiB: within the bound
// CHECK: after exit {{[0-9]+}} KiB: within the bound
// VALID: valid: 3001 threads
// VALID: lost: 0 in signal handlers (reentrant), {{[1-9][0-9]*}} for want of space, 0 after their thread exited
// BLOCKED: 3000
// LOST: events were dropped by writers: 0 in signal handlers (reentrant), {{[1-9][0-9]*}} for want of space
// VALID-DEBUG: valid: 1001 threads
#include "fr.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_BYTES (1u << 20)
#define FIXED_BYTES (64u << 10)
#define PER_THREAD_BYTES 1024u

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t arrived_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t go_cond = PTHREAD_COND_INITIALIZER;
static int arrived, go;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int call(int x) {
  return x ^ 1;
}

static void *worker(void *arg) {
  int x = 0;
  for (int i = 0; i < 500; i++)
    x = call(x);
  pthread_mutex_lock(&m);
  arrived++;
  pthread_cond_signal(&arrived_cond);
  while (!go)
    pthread_cond_wait(&go_cond, &m);
  pthread_mutex_unlock(&m);
  for (int i = 0; i < 500; i++)
    x = call(x);
  return (void *)(long)x;
}

static void report(const char *when, uint64_t resident, uint64_t limit) {
  printf("%s %llu KiB: %s\n", when, (unsigned long long)resident >> 10,
         resident <= limit ? "within the bound" : "OVER the bound");
  if (resident > limit)
    printf("  limit %llu KiB\n", (unsigned long long)limit >> 10);
}

int main(int argc, char **argv) {
  if (argc < 3)
    return 2;
  int n = atoi(argv[2]);
  fr_config cfg = {0, MAX_BYTES, FR_BUDGET_UNLIMITED};
  fr_recorder *r = fr_new(&cfg);
  fr_start(r);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 << 10);
  pthread_t *t = calloc((size_t)n, sizeof(*t));
  for (int i = 0; i < n; i++)
    if (pthread_create(&t[i], &attr, worker, NULL) != 0)
      return 3;
  pthread_mutex_lock(&m);
  while (arrived < n)
    pthread_cond_wait(&arrived_cond, &m);
  pthread_mutex_unlock(&m);
  uint64_t limit = MAX_BYTES + FIXED_BYTES + (uint64_t)(n + 1) * PER_THREAD_BYTES;
  report("recorder resident", fr_memory_bytes(), limit);
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
  fr_write_to_fd(r, fd);
  close(fd);
  pthread_mutex_lock(&m);
  go = 1;
  pthread_cond_broadcast(&go_cond);
  pthread_mutex_unlock(&m);
  for (int i = 0; i < n; i++)
    pthread_join(t[i], NULL);
  report("after exit", fr_memory_bytes(), limit);
  free(t);
  return 0;
}
