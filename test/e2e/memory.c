// Memory stays bounded: 4 threads make 10^7 calls (2*10^7 events, ~50 MB of
// encoded events) into a 1 MiB window. The recorder's resident memory
// (fr_memory_bytes: mincore over every mapping the runtime made) stays within
// max_bytes plus the documented constants (docs/format.md, "Memory"):
// 64 KiB fixed + 1 KiB per thread. The process's VmRSS growth is printed too.
// The snapshot validates and holds the newest events of every thread.
// RUN: env FR_PASS_OPTIONS=calls=none %clang_fr -O2 %s -o %t %fr_link
// RUN: %t %t.fr | FileCheck %s
// RUN: %frtool validate %t.fr | FileCheck %s --check-prefix=VALID
// RUN: %frtool dump %t.fr | FileCheck %s --check-prefix=NEWEST
#include "fr.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof(line), f))
    if (!strncmp(line, "VmRSS:", 6))
      kib = atol(line + 6);
  if (f)
    fclose(f);
  return kib;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int call(int x) {
  return x ^ 1;
}
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void newest(void) {
  __asm__ volatile("");
}

static int finished, done; // atomics: the TSan tier runs this too

static void *worker(void *arg) {
  (void)arg;
  int x = 0;
  for (int i = 0; i < 2500000; i++)
    x = call(x);
  newest();
  __atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
  // Stay alive until the snapshot: the newest events are this thread's last.
  while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE))
    usleep(1000);
  return (void *)(long)x;
}

int main(int argc, char **argv) {
  long before = rss_kib();
  // Everything recorded: the point is a window filled many times over.
  fr_config cfg = {0, 1 << 20, FR_BUDGET_UNLIMITED};
  fr_recorder *r = fr_new(&cfg);
  fr_start(r);
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, worker, NULL);
  // Until every worker has made its calls (not a guess of how long they
  // take: under load or a sanitizer, seconds more).
  while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) < 4)
    usleep(1000);
  uint64_t resident = fr_memory_bytes();
  long during = rss_kib();
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
  fr_write_to_fd(r, fd);
  close(fd);
  __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  uint64_t limit = (1 << 20) + (64 << 10) + 4 * (1 << 10);
  printf("process rss grew %ld KiB\n", during - before);
  printf("recorder resident %llu KiB, limit %llu KiB: %s\n",
         (unsigned long long)resident >> 10, (unsigned long long)limit >> 10,
         resident <= limit ? "within" : "OVER");
  printf("window touched: %s\n", resident >= (1 << 20) ? "yes" : "no");
  return 0;
}
// CHECK: recorder resident {{[0-9]+}} KiB, limit 1092 KiB: within
// CHECK: window touched: yes
// VALID: valid: 4 threads
// NEWEST-COUNT-4: enter newest
