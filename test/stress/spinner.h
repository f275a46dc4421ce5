// spinner.h: the stress programs' background load: threads calling an
// instrumented function as fast as they can until stop is set.
#ifndef FR_STRESS_SPINNER_H
#define FR_STRESS_SPINNER_H

#include "fr.h"

static int stop, sink; // atomics: the stress runs under TSan too

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void spin(void) {
  __atomic_fetch_add(&sink, 1, __ATOMIC_RELAXED);
}

static void *spinner(void *arg) {
  while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
    spin();
  return arg;
}

#endif
