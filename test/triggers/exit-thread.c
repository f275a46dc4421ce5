// exit() called from a thread that is not main: the exit snapshot is written
// (on that thread), holds its last entries, and the exit status stays 3.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr
// RUN: env FR_OPTIONS=output=%t.fr not %t
// RUN: env FR_OPTIONS=output=%t.again.fr sh -c '%t; test $? -eq 3'
// RUN: %frtool dump %t.fr | FileCheck %s
// CHECK: trigger exit
// CHECK: T[[T:[0-9]+]] enter quitter
// CHECK: T[[T]] enter leave_now
#include "fr.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

FR_ALWAYS_INSTRUMENT void leave_now(void) { exit(3); }
FR_ALWAYS_INSTRUMENT void *quitter(void *arg) {
  leave_now();
  return arg;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, quitter, NULL);
  for (;;)
    pause();
}
