// A blocking read on a pipe whose writer waits until the reader is inside
// read(), then 50 ms more: the summary's read on that descriptor lasts at
// least the forced delay and no longer than the program measured around the
// call (plus 1% for the tick clock's calibration), and the read is the
// longest blocked interval of the reading thread. Nothing here races the
// wall clock: a loaded machine only makes the read longer. A read on a closed descriptor is counted as an error, with
// its errno in the dump.
// RUN: %clang_fr -O0 %s -o %t0 %fr_link
// RUN: rm -f %t0.fr && env FR_OPTIONS=output=%t0.fr %t0 > %t0.vars
// RUN: %frtool summary --json %t0.fr > %t0.json
// RUN: %summary_check %t0.json --vars %t0.vars 'fds[fd=$read_fd].duration.count==1' 'fds[fd=$read_fd].duration.max_ns>=$delay_ns' 'fds[fd=$read_fd].duration.max_ns<=$measured_bound_ns' 'fds[fd=$read_fd].first_site.callee==read' 'fds[fd=-1].errors==1' 'blocking_sites[0].site.callee==read'
// RUN: %frtool dump %t0.fr | FileCheck %s
// RUN: %clang_fr -O2 -D_FORTIFY_SOURCE=2 %s -o %t2 %fr_link
// RUN: rm -f %t2.fr && env FR_OPTIONS=output=%t2.fr %t2 > %t2.vars
// RUN: %frtool summary --json %t2.fr > %t2.json
// RUN: %summary_check %t2.json --vars %t2.vars 'fds[fd=$read_fd].duration.count==1' 'fds[fd=$read_fd].duration.max_ns>=$delay_ns' 'fds[fd=$read_fd].duration.max_ns<=$measured_bound_ns' 'fds[fd=-1].errors==1'
// RUN: %frtool dump %t2.fr | FileCheck %s
// RUN: %frtool summary %t2.fr | FileCheck %s --check-prefix=SUMMARY
//
// CHECK: call read fd=[[FD:[0-9]+]] in main
// CHECK: return read result=5 in main
// CHECK: call read fd=-1 in main
// CHECK: return read result=-1 errno=EBADF in main
// SUMMARY: longest blocked
// SUMMARY: T{{[0-9]+}} blocked {{[0-9]+\.[0-9]+}}ms in read fd={{[0-9]+}} (main {{.*}}pipe-read.c:[[#@LINE+31]])
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "Inputs/in_syscall.h"
#include "Inputs/now_ns.h"

static int fds[2];
static volatile int reader_tid;

static void *late_writer(void *arg) {
  while (!reader_tid || !in_syscall(reader_tid, SYS_read, fds[0], fds[0]))
    usleep(1000);
  struct timespec delay = {0, 50 * 1000 * 1000};
  nanosleep(&delay, NULL);
  write(fds[1], "hello", 5);
  return arg;
}

int main(void) {
  char buf[16];
  pipe(fds);
  pthread_t w;
  reader_tid = (int)syscall(SYS_gettid);
  pthread_create(&w, NULL, late_writer, NULL);
  uint64_t before = now_ns();
  ssize_t n = read(fds[0], buf, sizeof(buf));
  uint64_t measured = now_ns() - before;
  pthread_join(w, NULL);
  close(fds[1]);
  n += read(-1, buf, sizeof(buf));
  printf("read_fd=%d\ndelay_ns=%d\nmeasured_bound_ns=%llu\nn=%zd\n", fds[0],
         50 * 1000 * 1000, (unsigned long long)(measured + measured / 100), n);
  return 0;
}
