// A vfork child runs on its parent's thread state until it execs or exits:
// nothing it does is recorded into the parent's thread (before, its
// in_child events appeared as the parent's), and the parent records on,
// with the call's return (the child's pid).
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t | FileCheck %s --check-prefix=OUT
// RUN: %frtool dump %t.fr | FileCheck %s
// RUN: %clang_fr -O2 %s -o %t2 %fr_link
// RUN: rm -f %t2.fr && env FR_OPTIONS=output=%t2.fr %t2 | FileCheck %s --check-prefix=OUT
// RUN: %frtool dump %t2.fr | FileCheck %s
// OUT: parent goes on
// CHECK-NOT: in_child
// CHECK: call vfork in main
// CHECK-NOT: in_child
// CHECK: return vfork result={{[1-9][0-9]*}} in main
// CHECK-NOT: in_child
// CHECK: enter after_vfork
// CHECK-NOT: in_child
// CHECK-NOT: dropped
#include "fr.h"

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int sink;
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void in_child(void) { sink++; }
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void after_vfork(void) {
  sink--;
}

int main(void) {
  pid_t pid = vfork();
  if (pid == 0) {
    in_child();
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  after_vfork();
  printf("parent goes on\n");
  return 0;
}
