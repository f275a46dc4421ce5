// Threads that crash together: every crash leaves one whole snapshot. 20
// children each start 4 threads that fault at the same moment; the first
// crashing thread writes the dump and the others wait for it (bounded)
// before the process dies, instead of killing it mid-write (before: 6 of 20
// valid, 11 truncated, 3 missing). Each child dies of SIGSEGV as it would
// without fr; no temporary file is left behind.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/crash-%%p.fr,exit_dump=0 %t 2>/dev/null | FileCheck %s
// RUN: %frtool validate %t.dir/*.fr | grep -c ': valid: ' | FileCheck %s --check-prefix=VALID
// RUN: ls %t.dir | FileCheck %s --check-prefix=LEFT
// CHECK: 20 children died of SIGSEGV
// VALID: 20
// LEFT-NOT: partial
#include "fr.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_barrier_t together;
volatile int *volatile nowhere;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int crash_here(int x) {
  return *nowhere + x;
}

static void *crasher(void *arg) {
  pthread_barrier_wait(&together);
  return (void *)(long)crash_here((int)(long)arg);
}

static void child(void) {
  pthread_t t[4];
  pthread_barrier_init(&together, NULL, 4);
  for (long i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, crasher, (void *)i);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  _exit(0); // not reached
}

int main(void) {
  int segv = 0;
  for (int i = 0; i < 20; i++) {
    pid_t pid = fork();
    if (pid == 0)
      child();
    int status;
    waitpid(pid, &status, 0);
    segv += WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
  }
  printf("%d children died of SIGSEGV\n", segv);
  return 0;
}
