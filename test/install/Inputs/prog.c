// A program for the installed-tree tests: main calls work.
#include <stdio.h>

static volatile int sink;

__attribute__((noinline)) void work(int n) {
  for (int i = 0; i < n; i++)
    sink += i;
}

int main(void) {
  work(100);
  printf("prog ran\n");
  return 0;
}
