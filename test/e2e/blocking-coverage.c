// Blocking calls beyond read and write are recorded, each at its line with
// its descriptor: sendfile, splice, copy_file_range, flock, lockf, fcntl
// with F_SETLKW (and not fcntl's other commands), semop.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr %t.data && env FR_OPTIONS=output=%t.fr %t %t.data
// RUN: %frtool summary %t.fr | FileCheck %s
#define _GNU_SOURCE
#include "fr.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/sendfile.h>
#include <unistd.h>

FR_ALWAYS_INSTRUMENT int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
  int out = open("/dev/null", O_WRONLY);
  int pipes[2];
  if (fd < 0 || out < 0 || pipe(pipes) != 0)
    return 1;
  if (write(fd, "0123456789", 10) != 10)
    return 1;
  off_t at = 0;
  sendfile(out, fd, &at, 10);
  loff_t from = 0;
  splice(fd, &from, pipes[1], NULL, 4, 0);
  loff_t src = 0, dst = 10;
  copy_file_range(fd, &src, fd, &dst, 4, 0);
  flock(fd, LOCK_EX);
  flock(fd, LOCK_UN);
  lockf(fd, F_LOCK, 0);
  struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  fcntl(fd, F_SETLKW, &lock);
  fcntl(fd, F_GETFL); // not a wait: not recorded
  int sem = semget(IPC_PRIVATE, 1, 0600);
  struct sembuf up = {0, 1, 0};
  semop(sem, &up, 1);
  semctl(sem, 0, IPC_RMID);
  return 0;
}

// CHECK: blocking calls by site
// CHECK-DAG: sendfile main {{.*}}blocking-coverage.c:28
// CHECK-DAG: splice main {{.*}}blocking-coverage.c:30
// CHECK-DAG: copy_file_range main {{.*}}blocking-coverage.c:32
// CHECK-DAG: flock main {{.*}}blocking-coverage.c:33
// CHECK-DAG: lockf main {{.*}}blocking-coverage.c:35
// CHECK-DAG: fcntl main {{.*}}blocking-coverage.c:37
// CHECK-DAG: semop main {{.*}}blocking-coverage.c:41
// RUN: %frtool summary %t.fr | FileCheck %s --check-prefix=GETFL
// GETFL-NOT: blocking-coverage.c:38
