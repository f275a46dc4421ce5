// Start-up touches no page per chunk: a recorder with a 1 GiB or a 16 GiB
// window that has recorded a few events keeps a few pages resident, not a
// page per chunk (was 67 MB for 1 GiB and 1 GB for 16 GiB), and max_bytes
// up to 64 TiB starts (the window is address space until used). The whole
// process's resident set is checked too: fr_memory_bytes asks the kernel
// only about chunks handed out (asking about all of a 64 TiB window took
// 110 s), so pages touched past them would show only there.
// TSan maps its shadow of every mapping: resident pages say nothing here.
// UNSUPPORTED: tsan
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: %t 1 | FileCheck %s
// RUN: %t 16 | FileCheck %s
// RUN: %t 65536 | FileCheck %s
// CHECK: started: 0
// CHECK: resident under 1 MiB: yes
// CHECK: process resident under 16 MiB: yes
#include "fr.h"

#include <stdio.h>
#include <stdlib.h>

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int work(int x) {
  return x + 1;
}

int main(int argc, char **argv) {
  uint64_t gib = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
  fr_config cfg = {0, gib << 30, FR_BUDGET_UNLIMITED};
  fr_recorder *r = fr_new(&cfg);
  printf("started: %d\n", fr_start(r));
  int x = 0;
  for (int i = 0; i < 1000; i++)
    x = work(x);
  uint64_t resident = fr_memory_bytes();
  printf("resident under 1 MiB: %s (%llu KiB)\n",
         resident < (1u << 20) ? "yes" : "no",
         (unsigned long long)resident >> 10);
  unsigned long long pages = 0, process = 0;
  FILE *statm = fopen("/proc/self/statm", "r");
  if (statm && fscanf(statm, "%llu %llu", &pages, &process) == 2)
    printf("process resident under 16 MiB: %s (%llu KiB)\n",
           process * 4096 < (16u << 20) ? "yes" : "no", process * 4);
  if (statm)
    fclose(statm);
  return x == 1000 ? 0 : 1;
}
