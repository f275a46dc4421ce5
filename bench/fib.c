// fib.c: the call-heavy micro-benchmark. Every variant is built with
// -fno-optimize-sibling-calls so the plain build makes the same calls.
// Prints the number of calls made, so ns/event = extra time / (2 * calls).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long calls;

__attribute__((noinline)) int fib(int n) {
  calls++;
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 30;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  int r = fib(n);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
  printf("fib(%d)=%d calls=%ld seconds=%.6f\n", n, r, calls, s);
  return 0;
}
