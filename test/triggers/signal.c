// SIGUSR2 (the default signal) while four threads record as fast as they
// can: the snapshot is written by the signal's handler (no thread of fr's
// own: none is started without a condition trigger), validates, names the
// signal, and holds events of all four workers. The program's exit status
// is its own and a program that ignores the signal keeps ignoring it.
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/snap-%%n.fr,exit_dump=0 %t %t.dir/snap-0.fr | FileCheck %s
// RUN: %frtool validate %t.dir/snap-0.fr | FileCheck %s --check-prefix=VALID
// RUN: %frtool summary %t.dir/snap-0.fr | FileCheck %s --check-prefix=SUMMARY
// RUN: env FR_OPTIONS=output=%t.dir/other-%%n.fr,exit_dump=0,signal=USR1 %t %t.dir/other-0.fr USR1 | FileCheck %s
// RUN: %frtool summary %t.dir/other-0.fr | FileCheck %s --check-prefix=USR1
// A real-time signal, named as the shell names it.
// RUN: env FR_OPTIONS=output=%t.dir/rt-%%n.fr,exit_dump=0,signal=RTMIN+3 %t %t.dir/rt-0.fr RTMIN+3 | FileCheck %s
// RUN: %frtool summary %t.dir/rt-0.fr | FileCheck %s --check-prefix=RTMIN
// CHECK: snapshot appeared
// CHECK: workers done
// VALID: valid: {{[5-9]}} threads
// SUMMARY: taken by: signal SIGUSR2
// SUMMARY: functions
// SUMMARY: spin {{.*}}signal.c:[[#@LINE+14]]
// USR1: taken by: signal SIGUSR1
// RTMIN: taken by: signal SIGRTMIN+3
#include "fr.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int stop; // atomics, as everything threads share here: TSan tier

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int spin(int x) { return x + 1; }

static int sink;

static void *worker(void *arg) {
  while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
    __atomic_store_n(&sink, spin(__atomic_load_n(&sink, __ATOMIC_RELAXED)),
                     __ATOMIC_RELAXED);
  return arg;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  int sig = argc > 2 && !strcmp(argv[2], "USR1")      ? SIGUSR1
            : argc > 2 && !strcmp(argv[2], "RTMIN+3") ? SIGRTMIN + 3
                                                       : SIGUSR2;
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, worker, NULL);
  usleep(50000);
  kill(getpid(), sig);
  struct stat st;
  for (int i = 0; i < 500 && stat(argv[1], &st) != 0; i++)
    usleep(10000);
  // The file is complete once it validates; give the writer time to finish.
  usleep(200000);
  printf("snapshot %s\n", stat(argv[1], &st) == 0 ? "appeared" : "missing");
  __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  printf("workers done\n");
  return 0;
}
