// bench/counted.c: what one call of a small instrumented function costs in
// each of the budget's tiers: recorded (budget=off), counted (the budget's
// counted tier), muted outright (counted=off), against the same loop built
// without the plugin. bench/counted.sh runs it.
//
// The program first calls leaf() 3 million times so that the budget (set
// tiny by the script) mutes it, then times CALLS more calls.
#include "fr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void leaf(void) { sink++; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  long calls = argc > 1 ? atol(argv[1]) : 50000000;
  if (calls < 0)
    calls = 0;
  for (long i = 0; i < 3000000; i++)
    leaf();
  double begin = now_s();
  for (long i = 0; i < calls; i++)
    leaf();
  double took = now_s() - begin;
  printf("%.2f ns per call\n", calls ? took * 1e9 / (double)calls : 0.0);
  return 0;
}
