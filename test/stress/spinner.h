// spinner.h: the stress programs' background load: threads calling an
// instrumented function as fast as they can until stop is set.
#ifndef FR_STRESS_SPINNER_H
#define FR_STRESS_SPINNER_H

#include "fr.h"

static volatile int stop, sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void spin(void) { sink++; }

static void *spinner(void *arg) {
  while (!stop)
    spin();
  return arg;
}

#endif
