// A program that calls into an instrumented shared library.
#include <stdio.h>

void lib_work(void);
static volatile int sink;

// Not a tail call: main_work is still open while lib_work runs.
__attribute__((noinline)) void main_work(void) {
  lib_work();
  sink++;
}

int main(void) {
  main_work();
  printf("uselib ran\n");
  return 0;
}
