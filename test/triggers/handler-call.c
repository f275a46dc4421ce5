// A blocking call's timing survives a signal handler that makes a blocking
// call of its own: the main thread's read on a pipe is interrupted (once
// /proc shows it inside read) by a handler that writes a line, and resumes
// (SA_RESTART); 50 ms later the pipe gets its byte. The read took longer
// than blocking=20ms, and that condition's snapshot is taken (before, the
// handler's call ended the read's timing: no snapshot).
// Not under TSan: TSan runs a program's handler for an asynchronous signal
// only at its next interceptor or blocking call it knows, and read is not
// one: with SA_RESTART the read goes on, the handler never runs, and the
// helper waits for it forever (seen in gdb: the main thread in read, nothing
// pending in the kernel, the signal queued in TSan). That is what the test
// is about, so it cannot run there.
// UNSUPPORTED: tsan
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=blocking=20ms,rate=1ms,output=%t.dir/snap-%%n.fr,exit_dump=0 %t %t.dir | FileCheck %s
// RUN: %frtool summary %t.dir/snap-0.fr | FileCheck %s --check-prefix=SUMMARY
// CHECK: handler ran: 1
// CHECK: snapshot written
// SUMMARY: taken by: condition: blocking call {{.*}}read
#include "fr.h"

#include <fcntl.h>
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

static int fds[2], devnull;
static volatile int main_tid;
static volatile sig_atomic_t handled;

static void on_usr1(int sig) {
  (void)sig;
  ssize_t n = write(devnull, "handled\n", 8); // a blocking call site
  (void)n;
  handled++;
}

static void *helper(void *arg) {
  pthread_t main_thread = *(pthread_t *)arg;
  struct timespec ms = {0, 1000000};
  while (!in_syscall(main_tid, SYS_read, fds[0], fds[0]))
    syscall(SYS_nanosleep, &ms, NULL);
  pthread_kill(main_thread, SIGUSR1);
  while (!handled)
    syscall(SYS_nanosleep, &ms, NULL);
  struct timespec later = {0, 50 * 1000 * 1000};
  syscall(SYS_nanosleep, &later, NULL);
  ssize_t n = write(fds[1], "x", 1);
  (void)n;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2 || pipe(fds) != 0)
    return 2;
  devnull = open("/dev/null", O_WRONLY);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  // Let the snapshot thread calibrate the thresholds (a raw call fr does not
  // see, so no condition fires here).
  struct timespec settle = {0, 100 * 1000 * 1000};
  syscall(SYS_nanosleep, &settle, NULL);
  main_tid = (int)syscall(SYS_gettid);
  pthread_t self = pthread_self(), t;
  pthread_create(&t, NULL, helper, &self);
  char byte;
  ssize_t n = read(fds[0], &byte, 1);
  (void)n;
  pthread_join(t, NULL);
  char path[4096];
  snprintf(path, sizeof(path), "%s/snap-0.fr", argv[1]);
  struct stat st;
  struct timespec poll_pause = {0, 10 * 1000 * 1000};
  for (int i = 0; i < 1000 && stat(path, &st) != 0; i++)
    syscall(SYS_nanosleep, &poll_pause, NULL);
  printf("handler ran: %d\nsnapshot %s\n", (int)handled,
         stat(path, &st) == 0 ? "written" : "missing");
  return 0;
}
