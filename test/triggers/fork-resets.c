// A fork child's triggers start over: the parent used up max_dumps=1 with a
// signal snapshot (its number %n 0); the child's own signal snapshot is
// still taken (its cap is its own), numbered 0 again under its own pid, and
// holds the child's events. Before, the child inherited the parent's count
// (no snapshot) and sequence (1).
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/snap-%%p-%%n.fr,exit_dump=0,max_dumps=1,rate=1ms %t %t.dir > %t.out
// RUN: FileCheck %s < %t.out
// RUN: sh -c '%frtool dump %t.dir/snap-$(sed -n "s/^child=//p" %t.out)-0.fr' | FileCheck %s --check-prefix=CHILD
// CHECK-DAG: parent snapshot: written
// CHECK-DAG: child snapshot 0: written
// CHILD: # trigger signal SIGUSR2
// CHILD: enter child_work
#include "fr.h"

#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int sink;
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void child_work(void) { sink++; }

static const char *exists(const char *dir, int pid, int n) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/snap-%d-%d.fr", dir, pid, n);
  struct stat st;
  return stat(path, &st) == 0 ? "written" : "missing";
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  kill(getpid(), SIGUSR2); // written by the handler before kill returns
  printf("parent snapshot: %s\n", exists(argv[1], getpid(), 0));
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    child_work();
    kill(getpid(), SIGUSR2);
    printf("child=%d\nchild snapshot 0: %s\n", getpid(),
           exists(argv[1], getpid(), 0));
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  return 0;
}
