// fork(): the child gets a fresh recorder that records from the fork on and
// writes its own snapshot under its own pid; the parent's goes on. A fork
// while another thread takes snapshots in a loop does not deadlock.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/%%p.fr %t > %t.pids
// RUN: sh -c '%frtool dump %t.dir/$(sed -n "s/^child=//p" %t.pids).fr' | FileCheck %s --check-prefix=CHILD
// RUN: sh -c '%frtool dump %t.dir/$(sed -n "s/^parent=//p" %t.pids).fr' | FileCheck %s --check-prefix=PARENT
// CHILD: # program {{.*}} pid [[PID:[0-9]+]] trigger exit
// CHILD-NOT: parent_work
// CHILD: enter child_work
// PARENT: enter parent_work
// PARENT-NOT: child_work
#include "fr.h"

#include <pthread.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static int stop; // an atomic: the TSan tier runs this
static int sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void parent_work(void) {
  __atomic_fetch_add(&sink, 1, __ATOMIC_RELAXED);
}
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void child_work(void) {
  __atomic_fetch_sub(&sink, 1, __ATOMIC_RELAXED);
}

static void *snapshotter(void *arg) {
  while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
    int fd = open("/dev/null", 1);
    fr_write_to_fd(fr_default_recorder(), fd);
    close(fd);
  }
  return arg;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, snapshotter, NULL);
  usleep(20000);
  for (int i = 0; i < 20; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      child_work();
      _exit(0); // no exit snapshot for these quick children
    }
    waitpid(pid, NULL, 0);
  }
  parent_work();
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    child_work();
    return 0; // exit(): the child's own snapshot
  }
  waitpid(pid, NULL, 0);
  __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
  pthread_join(t, NULL);
  printf("parent=%d\nchild=%d\n", (int)getpid(), (int)pid);
  return 0;
}
