// A signal handler that runs instrumented code must never deadlock the
// recorder on its own thread: a 20 us interval timer's SIGALRM handler calls
// an instrumented function (so its hook may take the slow path, which takes
// the pool's lock) while the main thread loops on fr_start / fr_stop and
// fr_write_to (which hold that lock). Before, this hung on the first
// iteration. The handler's events that land while the thread is inside the
// runtime are dropped and counted as reentrant; the others are recorded.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: timeout 120 %t %t.fr | FileCheck %s
// RUN: %frtool validate %t.fr | FileCheck %s --check-prefix=VALID
// RUN: %frtool dump %t.fr | FileCheck %s --check-prefix=DUMP
// CHECK: 2000 start/stop rounds, {{[1-9][0-9]*}} handler calls
// VALID: valid: 1 threads
// DUMP: enter in_handler
#include "fr.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static volatile unsigned sink; // unsigned: a slow timer may wrap it

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void in_handler(void) {
  sink++;
}
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void in_main(void) { sink++; }

static void on_alarm(int sig) {
  (void)sig;
  in_handler();
  handled++;
}

static int discard(void *ctx, const void *data, size_t len) {
  (void)ctx, (void)data, (void)len;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_alarm;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval every = {{0, 20}, {0, 20}};
  setitimer(ITIMER_REAL, &every, NULL);
  fr_config cfg = {0, 256 << 10, FR_BUDGET_UNLIMITED};
  fr_recorder *r = fr_new(&cfg);
  int rounds = 0;
  for (; rounds < 2000; rounds++) {
    fr_start(r);
    for (int i = 0; i < 50; i++)
      in_main();
    if (rounds % 100 == 0)
      fr_write_to(r, discard, NULL);
    if (rounds < 1999)
      fr_stop(r);
  }
  // Keep recording until a handler call has been recorded too.
  while (handled < 100)
    in_main();
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  in_handler(); // at least one, whatever the timer did
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
  fr_write_to_fd(r, fd);
  close(fd);
  printf("%d start/stop rounds, %d handler calls\n", rounds, (int)handled);
  return 0;
}
