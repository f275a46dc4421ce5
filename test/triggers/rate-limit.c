// Triggered snapshots are rate-limited and capped: ten slow calls in a row
// with rate=10s give one snapshot; with rate=1ms and max_dumps=2, two; the
// ones not taken are counted in one line at exit.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/rate-%%n.fr,exit_dump=0,blocking=100ms,rate=10s %t 2> %t.err
// RUN: ls %t.dir | FileCheck %s --check-prefix=RATE
// RUN: FileCheck %s --check-prefix=RATEMSG < %t.err
// RUN: env FR_OPTIONS=output=%t.dir/cap-%%n.fr,exit_dump=0,blocking=100ms,rate=1ms,max_dumps=2 %t 2> %t.err2
// RUN: ls %t.dir | FileCheck %s --check-prefix=CAP
// RUN: FileCheck %s --check-prefix=CAPMSG < %t.err2
// RATE: rate-0.fr
// RATE-NOT: rate-1.fr
// RATEMSG: fr: 9 triggered snapshots not taken (rate=10000ms, max_dumps=10)
// CAP: cap-0.fr
// CAP-NEXT: cap-1.fr
// CAP-NOT: cap-2.fr
// CAPMSG: fr: 8 triggered snapshots not taken (rate=1ms, max_dumps=2)
#include <unistd.h>

int main(void) {
  for (int i = 0; i < 10; i++) {
    usleep(150000); // over the 100 ms threshold, whatever the load
    usleep(1000);   // under it, unless a wake-up is 99 ms late
  }
  return 0;
}
