// The CMake package test's program: main -> main_work -> lib_work (in the
// instrumented shared library), and skipped, which OPTIONS leaves out.
#include "fr.h"

#include <stdio.h>

void lib_work(void);
static volatile int sink;

__attribute__((noinline)) void skipped(void) { sink++; }
__attribute__((noinline)) void main_work(void) {
  lib_work();
  skipped();
}

int main(void) {
  main_work();
  printf("app ran, recorder %s\n", fr_default_recorder() ? "on" : "off");
  return 0;
}
