// A hook that finds its thread busy asks fr_busy_holds-like code whether the
// mark still holds. That answer once came back as whatever the instrumented
// caller had in RAX: LLVM 14 restores RAX on return from a preserve_most
// function, so a helper of the hooks' convention cannot return a value. A
// caller with 0 in RAX then wrote into a chunk it did not own: a signal
// handler's events in the middle of the interrupted hook's (a malformed
// chunk, 1 in about 100 runs of handler-reentry.c under ASan), or, as here,
// a vfork child's events into its parent's chunk. in_child gets 0 as its
// argument, so RAX is 0 when its entry hook is called (whether the compiler
// keeps the argument there or not), every time.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t | FileCheck %s --check-prefix=OUT
// RUN: %frtool validate %t.fr
// RUN: %frtool dump %t.fr | FileCheck %s
// RUN: %clang_fr -O2 %s -o %t2 %fr_link
// RUN: rm -f %t2.fr && env FR_OPTIONS=output=%t2.fr %t2 | FileCheck %s --check-prefix=OUT
// RUN: %frtool dump %t2.fr | FileCheck %s
// OUT: child returned 0
// CHECK-NOT: in_child
// CHECK: enter after_vfork
// CHECK-NOT: in_child
#include "fr.h"

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long sink;

__attribute__((noinline)) long zero(void) { return sink * 0; }

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) long in_child(long value) {
  sink += value;
  return value;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void after_vfork(void) {
  sink--;
}

int main(void) {
  pid_t pid = vfork();
  if (pid == 0)
    _exit((int)in_child(zero()));
  int status = -1;
  waitpid(pid, &status, 0);
  after_vfork();
  printf("child returned %d\n", WEXITSTATUS(status));
  return 0;
}
