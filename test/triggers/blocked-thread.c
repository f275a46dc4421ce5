// A thread blocked longer than min_age is in the signal snapshot, the case
// the signal exists for: a worker stuck on a mutex for 300 ms with
// min_age=100ms (its last event, the wait, is older than min_age), and a
// worker asleep in read() on a pipe nobody writes. Both are listed as
// blocked when the snapshot was taken, with what they block in. The window
// runs from the file's first chunk to the snapshot, the same in validate,
// summary and the report (at least the 300 ms the threads were blocked).
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=min_age=100ms,output=%t.dir/snap-%%n.fr,exit_dump=0 %t %t.dir/snap-0.fr | FileCheck %s
// RUN: %frtool validate %t.dir/snap-0.fr | FileCheck %s --check-prefix=VALID
// RUN: %frtool summary %t.dir/snap-0.fr | FileCheck %s --check-prefix=SUMMARY
// RUN: %frtool report -o %t.html %t.dir/snap-0.fr
// RUN: grep -o '"end_ns":[0-9]*' %t.html | FileCheck %s --check-prefix=REPORT
// CHECK: snapshot written
// VALID: valid: 3 threads, {{.*}} window {{([3-9][0-9][0-9]|[0-9]{4,})\.[0-9]+}} ms
// REPORT: "end_ns":{{([3-9][0-9]{8}|[0-9]{10,})$}}
// SUMMARY: 3 threads, window {{([3-9][0-9][0-9]|[0-9]{4,})\.[0-9]+}}ms
// SUMMARY: taken by: signal SIGUSR2
// SUMMARY: blocked when the snapshot was taken
// SUMMARY-DAG: T{{[0-9]+}} blocked on mutex {{0x[0-9a-f]+}} (pthread_mutex_lock in stuck_on_lock {{.*}}blocked-thread.c:[[#@LINE+22]]) since
// SUMMARY-DAG: T{{[0-9]+}} blocked in read fd={{[0-9]+}} (stuck_in_read {{.*}}blocked-thread.c:[[#@LINE+28]]) since
#include "fr.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../e2e/Inputs/in_syscall.h"

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static int quiet[2];
static int tids[2]; // atomics: TSan tier

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void stuck_on_lock(void) {
  __atomic_store_n(&tids[0], (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
  pthread_mutex_lock(&held);
  pthread_mutex_unlock(&held);
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void stuck_in_read(void) {
  char byte;
  __atomic_store_n(&tids[1], (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
  ssize_t n = read(quiet[0], &byte, 1);
  (void)n;
}

static void *locker(void *arg) {
  stuck_on_lock();
  return arg;
}

static void *reader(void *arg) {
  stuck_in_read();
  return arg;
}

int main(int argc, char **argv) {
  if (argc < 2 || pipe(quiet) != 0)
    return 2;
  pthread_mutex_lock(&held);
  pthread_t t[2];
  pthread_create(&t[0], NULL, locker, NULL);
  pthread_create(&t[1], NULL, reader, NULL);
  // The mutex's futex word is its first field; read's first argument the fd.
  while (!__atomic_load_n(&tids[0], __ATOMIC_ACQUIRE) || !in_syscall(tids[0], SYS_futex, (unsigned long)&held,
                                    (unsigned long)&held))
    usleep(1000);
  while (!__atomic_load_n(&tids[1], __ATOMIC_ACQUIRE) || !in_syscall(tids[1], SYS_read, quiet[0], quiet[0]))
    usleep(1000);
  // Longer than min_age: the blocked threads' last events are old now.
  struct timespec pause = {0, 300 * 1000 * 1000};
  nanosleep(&pause, NULL);
  kill(getpid(), SIGUSR2); // written by the handler, before kill returns
  struct stat st;
  printf("snapshot %s\n", stat(argv[1], &st) == 0 ? "written" : "missing");
  pthread_mutex_unlock(&held);
  close(quiet[1]);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  return 0;
}
