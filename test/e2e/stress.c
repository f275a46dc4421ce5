// Snapshots taken while 6 threads record as fast as they can, in a window
// small enough that chunks are recycled during the copy, all validate.
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: %t %t.dir | FileCheck %s
// RUN: %frtool validate %t.dir/*.fr | FileCheck %s --check-prefix=VALID
#include "fr.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile int stop;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int spin(int x) {
  return x + 1;
}

static void *hammer(void *arg) {
  int x = 0;
  while (!stop)
    x = spin(x);
  return (void *)(long)x;
}

int main(int argc, char **argv) {
  fr_config cfg = {0, 256 << 10, FR_BUDGET_UNLIMITED}; // writers at full rate
  fr_recorder *r = fr_new(&cfg);
  fr_start(r);
  pthread_t t[6];
  for (int i = 0; i < 6; i++)
    pthread_create(&t[i], NULL, hammer, NULL);
  int ok = 0;
  for (int i = 0; i < 20; i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
    char path[4096];
    snprintf(path, sizeof(path), "%s/snap-%02d.fr", argv[1], i);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ok += fr_write_to_fd(r, fd) == FR_OK;
    close(fd);
  }
  stop = 1;
  for (int i = 0; i < 6; i++)
    pthread_join(t[i], NULL);
  printf("snapshots written: %d\n", ok);
  return 0;
}
// CHECK: snapshots written: 20
// VALID-COUNT-20: valid: {{[1-7]}} threads
