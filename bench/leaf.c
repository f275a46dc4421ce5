// bench/leaf.c: a small leaf function, chosen by fr and by XRay alike
// (FR_ALWAYS_INSTRUMENT says so to both), called 10 million times: what
// instrumentation costs per call while not recording (bench/offcost.sh).
#include "fr.h"

#include <stdio.h>

FR_ALWAYS_INSTRUMENT int leaf(int x) {
  int sum = 0;
  for (int i = 0; i < (x & 3); i++)
    sum += i * x;
  return sum;
}

int main(void) {
  int total = 0;
  for (int i = 0; i < 10000000; i++)
    total += leaf(i);
  printf("%d\n", total);
  return 0;
}
