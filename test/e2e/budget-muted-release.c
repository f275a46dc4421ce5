// A lock site that records nothing while muted is muted off. The budget
// mutes a lock site to its waits: its guard stays set, so that a contended
// acquisition is still recorded. An unlock site has no wait to record, and
// with its guard set a small function around it (SQLite's
// pthreadMutexLeave) still entered its recording copy at every call, for
// nothing: on speedtest1, 8 instructions a call of 480,000 calls at --size
// 10. Here lock() and unlock() wrap a mutex and are called two million
// times, so the budget mutes both sites; then the program reads their guard
// bytes (at the address nm gives, relocated by main's): the lock site's is
// FR_GUARD_SLOW (2), the unlock site's 0. Before, both were 2.
// RUN: env FR_PASS_OPTIONS=deny=main %clang_fr -O1 %s -o %t %fr_link
// RUN: nm %t > %t.nm
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=0.02%%,rearm=off %t %t.nm | FileCheck %s
// RUN: %frtool summary %t.fr | FileCheck %s --check-prefix=SUMMARY
#include "fr.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static volatile uint64_t sink;

__attribute__((noinline)) void lock(void) { pthread_mutex_lock(&mu); }
__attribute__((noinline)) void unlock(void) { pthread_mutex_unlock(&mu); }

// The address nm gives the symbol name in its listing nm_path, or 0.
static uintptr_t nm_address(const char *nm_path, const char *name) {
  FILE *f = fopen(nm_path, "r");
  char line[512], type[8], sym[400];
  unsigned long long addr;
  uintptr_t found = 0;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "%llx %7s %399s", &addr, type, sym) == 3 &&
        !strcmp(sym, name))
      found = (uintptr_t)addr;
  if (f)
    fclose(f);
  return found;
}

int main(int argc, char **argv) {
  uintptr_t guards = argc == 2 ? nm_address(argv[1], "__fr_guards") : 0;
  uintptr_t main_nm = argc == 2 ? nm_address(argv[1], "main") : 0;
  if (!guards || !main_nm) {
    fprintf(stderr, "usage: %s NM_LISTING (with __fr_guards and main)\n",
            argv[0]);
    return 2;
  }
  for (int i = 0; i < 2000000; i++) {
    lock();
    sink++;
    unlock();
  }
  const volatile uint8_t *g =
      (const uint8_t *)((uintptr_t)&main - main_nm + guards);
  // The module's sites in the order the pass met them: lock()'s, unlock()'s.
  printf("lock site guard %u, unlock site guard %u\n", g[0], g[1]);
  return 0;
}
// CHECK: lock site guard 2, unlock site guard 0

// Both sites muted, as the snapshot says.
// SUMMARY: muted by the overhead budget
// SUMMARY-DAG: lock pthread_mutex_lock in lock {{.*}}(muted)
// SUMMARY-DAG: lock pthread_mutex_unlock in unlock {{.*}}(muted)
