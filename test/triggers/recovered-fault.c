// A program whose own SIGSEGV handler (installed before fr, here from
// .preinit_array, as a preloaded runtime would) repairs its faults, as JITs
// and collectors do. Its handler runs first: a repaired fault is no crash,
// so nothing is written (before, every one of them was dumped as a crash,
// up to 4), the program keeps working, and a later signal snapshot is still
// written (before that, the first fault left fr's writer flag set and the
// signal snapshot was dropped silently).
// A fault the handler returns from without repairing comes back at the same
// instruction and address: that one is dumped, once. A handler that gives up
// (abort) is recorded as what it is: a crash by SIGABRT.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/s-%%n.fr,exit_dump=0 %t repair 2>&1 | FileCheck %s
// RUN: ls %t.dir | FileCheck %s --check-prefix=ONLY-SIGNAL
// RUN: %frtool summary %t.dir/s-0.fr | FileCheck %s --check-prefix=SIGNAL
// CHECK-NOT: fr: crash snapshot
// CHECK: recovered 10 faults
// ONLY-SIGNAL: s-0.fr
// ONLY-SIGNAL-NOT: .fr
// SIGNAL: taken by: signal SIGUSR2
//
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/s-%%n.fr,exit_dump=0 %t unrepaired 2>&1 | FileCheck %s --check-prefix=LOOP
// RUN: %frtool summary %t.dir/s-0.fr | FileCheck %s --check-prefix=LOOP-DUMP
// RUN: %frtool summary %t.dir/s-1.fr | FileCheck %s --check-prefix=SIGNAL
// LOOP: fr: crash snapshot written to {{.*}}s-0.fr
// LOOP: recovered 10 faults, 3 handler calls for the unrepaired one
// LOOP-DUMP: taken by: crash SIGSEGV on T1
//
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/s-%%n.fr,exit_dump=0 not --crash %t abort 2>&1 | FileCheck %s --check-prefix=ABORT
// RUN: %frtool summary %t.dir/s-0.fr | FileCheck %s --check-prefix=ABORT-DUMP
// ABORT: fr: crash snapshot written to {{.*}}s-0.fr
// ABORT-DUMP: taken by: crash SIGABRT on T1
#include "fr.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char *page;
static const char *mode = "repair";
static volatile int calls_for_first;

static void repair(int sig, siginfo_t *si, void *uc) {
  (void)sig, (void)si, (void)uc;
  if (!strcmp(mode, "abort"))
    abort();
  // "unrepaired": the first fault is repaired only on the third call.
  if (!strcmp(mode, "unrepaired") && (char *)si->si_addr == page &&
      ++calls_for_first < 3)
    return;
  mprotect(page, 4096, PROT_READ | PROT_WRITE);
}

static void install_before_fr(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = repair;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
}
__attribute__((section(".preinit_array"), used)) static void (*preinit)(void) =
    install_before_fr;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void touch(int i) {
  page[i] = 1;
}

int main(int argc, char **argv) {
  if (argc > 1)
    mode = argv[1];
  page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (int i = 0; i < 10; i++) {
    mprotect(page, 4096, PROT_NONE);
    touch(i);
  }
  if (!strcmp(mode, "unrepaired"))
    printf("recovered 10 faults, %d handler calls for the unrepaired one\n",
           calls_for_first);
  else
    printf("recovered 10 faults\n");
  fflush(stdout);
  kill(getpid(), SIGUSR2); // written before kill returns (a small window)
  return 0;
}
