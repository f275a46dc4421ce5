// A daemon that closes every descriptor and opens its own files: fr must
// never write into them nor read from them. With a condition trigger set
// (fr's snapshot thread running), the program closes descriptors 3 to 1023,
// opens two files (which get the lowest numbers, where fr's pipe used to
// be), writes known contents, then makes a blocking call longer than the
// threshold. The condition's snapshot is written, and the files hold
// exactly what the program wrote.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=blocking=20ms,output=%t.dir/snap-%%n.fr,exit_dump=0 %t %t.dir | FileCheck %s
// RUN: %frtool summary %t.dir/snap-0.fr | FileCheck %s --check-prefix=SUMMARY
// CHECK: file a: intact
// CHECK: file b: intact
// CHECK: snapshot written
// SUMMARY: taken by: condition: blocking call
#include "fr.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void slow_call(void) {
  usleep(60 * 1000); // longer than blocking=20ms
}

static void check(const char *name, const char *path, const char *want) {
  char got[64] = {0};
  int fd = open(path, O_RDONLY);
  ssize_t n = read(fd, got, sizeof(got) - 1);
  close(fd);
  printf("file %s: %s\n", name,
         n == (ssize_t)strlen(want) && !memcmp(got, want, (size_t)n)
             ? "intact"
             : "CHANGED");
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  char a[4096], b[4096], snap[4096];
  snprintf(a, sizeof(a), "%s/a.txt", argv[1]);
  snprintf(b, sizeof(b), "%s/b.txt", argv[1]);
  snprintf(snap, sizeof(snap), "%s/snap-0.fr", argv[1]);
  // Give the snapshot thread time to start and calibrate (it sets the
  // thresholds), as a daemon would run a while before closing descriptors;
  // a raw system call, which fr does not see (no condition fires here).
  struct timespec settle = {0, 100 * 1000 * 1000};
  syscall(SYS_nanosleep, &settle, NULL);
  for (int fd = 3; fd < 1024; fd++)
    close(fd);
  int fa = open(a, O_RDWR | O_CREAT | O_TRUNC, 0600);
  int fb = open(b, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (write(fa, "alpha", 5) != 5 || write(fb, "beta", 4) != 4)
    return 3;
  slow_call();
  struct stat st;
  struct timespec poll_pause = {0, 10 * 1000 * 1000};
  for (int i = 0; i < 1000 && stat(snap, &st) != 0; i++)
    syscall(SYS_nanosleep, &poll_pause, NULL);
  // The file exists from its first byte: let the writer finish.
  struct timespec finish = {0, 200 * 1000 * 1000};
  syscall(SYS_nanosleep, &finish, NULL);
  close(fa);
  close(fb);
  check("a", a, "alpha");
  check("b", b, "beta");
  printf("snapshot %s\n", stat(snap, &st) == 0 ? "written" : "missing");
  return 0;
}
