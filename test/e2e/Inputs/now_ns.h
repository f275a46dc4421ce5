// now_ns.h: CLOCK_MONOTONIC in nanoseconds, for tests that wait or spin for
// a measured time (never a sleep whose length a loaded machine decides).
#ifndef FR_TEST_NOW_NS_H
#define FR_TEST_NOW_NS_H

#include <stdint.h>
#include <time.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
