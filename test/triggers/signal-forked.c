// A signal snapshot of a large window is written by a forked copy of the
// process, so the signalled thread stops only for the fork (the stall is
// measured in bench/RESULTS.md, not here). The writer is invisible to the
// program: no SIGCHLD, and its wait(-1) finds no child. The file is the
// program's (its pid in the header and the name), complete (it appears
// whole, linked when written), and holds the window as it was at the
// signal: the busy worker's events and the main thread's last call.
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=max_bytes=32MiB,budget=off,output=%t.dir/snap-%%p.fr,exit_dump=0 %t %t.dir > %t.out
// RUN: FileCheck %s < %t.out
// RUN: sh -c '%frtool validate %t.dir/snap-$(sed -n "s/^pid=//p" %t.out).fr' | FileCheck %s --check-prefix=VALID
// RUN: sh -c '%frtool summary %t.dir/snap-$(sed -n "s/^pid=//p" %t.out).fr | FileCheck %s --check-prefix=SUMMARY -DPID=$(sed -n "s/^pid=//p" %t.out)'
// CHECK: snapshot appeared
// CHECK: SIGCHLD received: 0
// CHECK: wait(-1): no child
// VALID: valid: 2 threads
// SUMMARY: program {{.*}} pid [[PID]],
// SUMMARY: taken by: signal SIGUSR2
// SUMMARY: functions
// SUMMARY-DAG: spin
// SUMMARY-DAG: before_signal
#include "fr.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int stop, sink; // atomics: TSan tier
static volatile sig_atomic_t chld;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void spin(void) {
  __atomic_fetch_add(&sink, 1, __ATOMIC_RELAXED);
}
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void before_signal(void) {
  __atomic_fetch_sub(&sink, 1, __ATOMIC_RELAXED);
}

static void *worker(void *arg) {
  // 8 million calls: 16 million events, about 32 MiB: the window is full.
  for (int i = 0; i < 8000000; i++)
    spin();
  while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
    usleep(1000);
  return arg;
}

static void on_chld(int sig) {
  (void)sig;
  chld++;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  signal(SIGCHLD, on_chld);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  while (__atomic_load_n(&sink, __ATOMIC_RELAXED) < 8000000)
    usleep(1000);
  before_signal();
  kill(getpid(), SIGUSR2);
  char path[4096];
  snprintf(path, sizeof(path), "%s/snap-%d.fr", argv[1], getpid());
  struct stat st;
  for (int i = 0; i < 3000 && stat(path, &st) != 0; i++)
    usleep(10000);
  printf("pid=%d\nsnapshot %s\n", getpid(),
         stat(path, &st) == 0 ? "appeared" : "missing");
  usleep(100000);
  printf("SIGCHLD received: %d\n", (int)chld);
  errno = 0;
  pid_t w = wait(NULL);
  printf("wait(-1): %s\n", w < 0 && errno == ECHILD ? "no child" : "a child");
  __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
  pthread_join(t, NULL);
  return 0;
}
