// A program whose own SIGSEGV handler (installed before fr, here from
// .preinit_array, as a preloaded runtime would) repairs its faults, as JITs
// and collectors do: the program keeps working, fr's handler goes back in
// place after each repaired fault, crash dumps are bounded (at most 4 per
// process, however many faults), and a later signal snapshot is still
// written. Before, the first fault left fr's writer flag set: the signal
// snapshot was dropped silently.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/s-%%n.fr,exit_dump=0 %t 2>/dev/null | FileCheck %s
// RUN: ls %t.dir | grep -c '\.fr$' | FileCheck %s --check-prefix=FILES
// RUN: %frtool summary %t.dir/s-4.fr | FileCheck %s --check-prefix=SIGNAL
// CHECK: recovered 10 faults
// FILES: 5
// SIGNAL: taken by: signal SIGUSR2
#include "fr.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char *page;

static void repair(int sig, siginfo_t *si, void *uc) {
  (void)sig, (void)si, (void)uc;
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

int main(void) {
  page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (int i = 0; i < 10; i++) {
    mprotect(page, 4096, PROT_NONE);
    touch(i);
  }
  printf("recovered 10 faults\n");
  kill(getpid(), SIGUSR2); // written before kill returns (a small window)
  return 0;
}
