// The slow= condition after calls of the watched function that a longjmp
// ended: 1,000 calls of slow_step() jump out of it (no exit recorded), then
// one call takes 150 ms and must fire the trigger. Before, each call left
// an entry on the thread's stack of watched calls; past 8 deep the later
// calls were not timed and the trigger never fired (no snapshot). The
// stack now drops entries whose calls a longjmp or an exception ended (by
// where on the machine stack their hooks ran).
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/func-%%n.fr,exit_dump=0,slow=slow_step:50ms %t
// RUN: ls %t.dir | FileCheck %s
// RUN: %frtool dump %t.dir/func-0.fr | FileCheck %s --check-prefix=DUMP
#include "fr.h"

#include <setjmp.h>
#include <unistd.h>

static jmp_buf out;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void slow_step(int how) {
  if (how == 1)
    longjmp(out, 1);
  if (how == 2)
    usleep(150 * 1000);
}

int main(void) {
  for (int i = 0; i < 1000; i++)
    if (!setjmp(out))
      slow_step(1);
  slow_step(2);
  usleep(300 * 1000); // the snapshot thread writes it meanwhile
  return 0;
}

// CHECK: func-0.fr
// DUMP: # trigger condition: function {{[0-9]+\.[0-9]+}}ms > 50.000ms
