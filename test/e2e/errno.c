// The hooks around lock and blocking calls never change errno: after a
// failing call the program sees the call's errno, after a succeeding one the
// value it had before, also when the lock was contended (the runtime's try
// failed first) and when the thread's first event goes through the slow path.
// A mutex is unlocked by a thread that does not hold it (to make a waiter's
// timed lock end on purpose): TSan rightly rejects that.
// UNSUPPORTED: tsan
// RUN: %clang_fr -O0 %s -o %t0 %fr_link
// RUN: rm -f %t0.fr && env FR_OPTIONS=output=%t0.fr %t0 | FileCheck %s
// RUN: %frtool dump %t0.fr | FileCheck %s --check-prefix=DUMP
// RUN: %clang_fr -O2 %s -o %t2 %fr_link
// RUN: rm -f %t2.fr && env FR_OPTIONS=output=%t2.fr %t2 | FileCheck %s
// RUN: env FR_OPTIONS=enable=0 %t2 | FileCheck %s
//
// CHECK: read(-1): errno EBADF
// CHECK-NEXT: close(-1): errno EBADF
// CHECK-NEXT: sem_trywait(empty): errno EAGAIN
// CHECK-NEXT: fflush(bad FILE): errno EBADF
// CHECK-NEXT: sem_wait(posted): errno 1234
// CHECK-NEXT: sem_wait(contended): errno 2345
// CHECK-NEXT: pthread_mutex_lock(contended): errno 3456
// CHECK-NEXT: write(pipe): errno 4567
// CHECK-NEXT: all unchanged
// DUMP: return read result=-1 errno=EBADF in main
// DUMP: return close result=-1 errno=EBADF in main
// DUMP: acquire sem_trywait sem=0x{{[0-9a-f]+}} error=-1 in main
// DUMP: wait sem_wait sem=0x
// DUMP: acquired sem_wait sem=0x
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "Inputs/in_syscall.h"

static int bad;
static sem_t sem;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;

static void expect(const char *what, int want) {
  int got = errno;
  const char *name = strerrorname_np(got);
  if (name)
    printf("%s: errno %s\n", what, name);
  else
    printf("%s: errno %d\n", what, got);
  bad |= got != want;
}

static volatile int main_tid;

// Waits until the main thread sleeps in a futex inside OBJECT (sem_wait or
// pthread_mutex_lock, past the runtime's failed try): what makes these
// waits contended, whatever the machine's load.
#define WAIT_FOR_MAIN_ON(object)                                               \
  while (!in_syscall(main_tid, SYS_futex, (unsigned long)&(object),            \
                     (unsigned long)&(object) + sizeof(object) - 1))           \
    usleep(1000)

static void *post_later(void *arg) {
  WAIT_FOR_MAIN_ON(sem);
  sem_post(&sem);
  return arg;
}

static void *unlock_later(void *arg) {
  WAIT_FOR_MAIN_ON(mutex);
  pthread_mutex_unlock(&mutex);
  return arg;
}

int main(void) {
  char buf[4];
  main_tid = (int)syscall(SYS_gettid);
  read(-1, buf, sizeof(buf));
  expect("read(-1)", EBADF);
  close(-1);
  expect("close(-1)", EBADF);
  sem_init(&sem, 0, 0);
  sem_trywait(&sem);
  expect("sem_trywait(empty)", EAGAIN);
  FILE *ro = fopen("/dev/null", "r");
  fputc('x', ro); // a write on a read-only stream: the flush fails
  fflush(ro);
  expect("fflush(bad FILE)", EBADF);
  fclose(ro);

  sem_post(&sem);
  errno = 1234;
  sem_wait(&sem);
  expect("sem_wait(posted)", 1234);

  pthread_t t;
  pthread_create(&t, NULL, post_later, NULL);
  errno = 2345; // the runtime's sem_trywait fails with EAGAIN first
  sem_wait(&sem);
  expect("sem_wait(contended)", 2345);
  pthread_join(t, NULL);

  pthread_mutex_lock(&mutex);
  pthread_create(&t, NULL, unlock_later, NULL);
  errno = 3456; // relocking an owned default mutex would deadlock, so the
                // other thread unlocks it (allowed for default mutexes)
  pthread_mutex_lock(&mutex);
  expect("pthread_mutex_lock(contended)", 3456);
  pthread_join(t, NULL);
  pthread_mutex_unlock(&mutex);

  int fds[2];
  pipe(fds);
  errno = 4567;
  write(fds[1], "x", 1);
  expect("write(pipe)", 4567);
  printf("%s\n", bad ? "SOME CHANGED" : "all unchanged");
  return bad;
}
