// A crash in a nested function: the snapshot written from the SIGSEGV
// handler holds the faulting thread's entry of the function that crashed,
// names the crash, and the process still dies of SIGSEGV (not --crash).
// The same for abort() (SIGABRT) on another thread.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/segv-%%n.fr not --crash %t segv 2> %t.err
// RUN: FileCheck %s --check-prefix=MSG < %t.err
// RUN: %frtool validate %t.dir/segv-0.fr | FileCheck %s --check-prefix=VALID
// RUN: %frtool dump %t.dir/segv-0.fr | FileCheck %s --check-prefix=SEGV
// RUN: env FR_OPTIONS=output=%t.dir/abrt-%%n.fr not --crash %t abort 2> /dev/null
// RUN: %frtool dump %t.dir/abrt-0.fr | FileCheck %s --check-prefix=ABRT
// The status is the signal's, as without fr: 128 + SIGSEGV (11), 128 + SIGABRT (6).
// RUN: env FR_OPTIONS=output=%t.dir/again-segv.fr sh -c '%t segv 2>/dev/null; test $? -eq 139'
// RUN: env FR_OPTIONS=output=%t.dir/again-abrt.fr sh -c '%t abort 2>/dev/null; test $? -eq 134'
// RUN: sh -c '%t segv 2>/dev/null; test $? -eq 139'
// MSG: fr: crash snapshot written to {{.*}}segv-0.fr
// VALID: valid:
// SEGV: # trigger crash SIGSEGV on T[[T:[0-9]+]]
// SEGV: T[[T]] enter outer
// SEGV-NEXT: T[[T]] enter middle
// SEGV-NEXT: T[[T]] enter crash_here
// SEGV-NOT: T[[T]] exit crash_here
// ABRT: # trigger crash SIGABRT on T[[A:[0-9]+]]
// ABRT: T[[A]] enter give_up
#include "fr.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

volatile int *volatile nowhere;

FR_ALWAYS_INSTRUMENT int crash_here(int x) { return *nowhere + x; }
FR_ALWAYS_INSTRUMENT int middle(int x) { return crash_here(x) + 1; }
FR_ALWAYS_INSTRUMENT int outer(int x) { return middle(x) + 1; }

FR_ALWAYS_INSTRUMENT void give_up(void) { abort(); }
static void *aborter(void *arg) {
  give_up();
  return arg;
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "abort")) {
    pthread_t t;
    pthread_create(&t, NULL, aborter, NULL);
    pthread_join(t, NULL);
    return 0;
  }
  return outer(argc);
}
