// A stack overflow on a thread that is not the main thread is dumped: every
// thread that records gets an alternate signal stack (from fr's own slabs,
// no malloc), so the crash handler can run when the thread's stack is gone.
// The snapshot holds the overflowing thread's deep recursion; the process
// still dies of SIGSEGV. Before, only the main thread had one: no snapshot.
// Not under TSan: the overflow happens inside TSan's runtime (the hook's
// atomic store looks up TSan's metadata, holding its slot lock), and the
// crash handler's first call TSan intercepts (sigaction) waits for that
// lock forever (seen in gdb: SlotLock under sigaction_impl under
// fr_on_crash, over MetaMap::GetSync). A fault inside the sanitizer's own
// code is beyond what a handler can survive.
// UNSUPPORTED: tsan
// RUN: %clang_fr -O0 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/overflow-%%n.fr,exit_dump=0 not --crash %t 2> %t.err
// RUN: FileCheck %s --check-prefix=MSG < %t.err
// RUN: %frtool validate %t.dir/overflow-0.fr
// RUN: %frtool dump %t.dir/overflow-0.fr | FileCheck %s
// MSG: fr: crash snapshot written to {{.*}}overflow-0.fr
// CHECK: # trigger crash SIGSEGV on T[[T:[0-9]+]]
// CHECK-COUNT-100: T[[T]] enter deeper
#include "fr.h"

#include <pthread.h>

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int deeper(volatile int n) {
  volatile char pad[256];
  pad[0] = (char)n;
  return deeper(n + 1) + pad[0];
}

static void *overflow(void *arg) {
  return (void *)(long)deeper((int)(long)arg);
}

int main(void) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 << 10);
  pthread_t t;
  pthread_create(&t, &attr, overflow, NULL);
  pthread_join(t, NULL);
  return 0;
}
