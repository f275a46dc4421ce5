// in_syscall.h: for tests that must know, not guess, that another thread
// is blocked: whether thread TID is inside system call NUMBER with its
// first argument in [LO, HI], as /proc/self/task/TID/syscall says. A test
// waits for this instead of sleeping for a while: a loaded machine then
// only makes it wait longer.
#ifndef FR_TEST_IN_SYSCALL_H
#define FR_TEST_IN_SYSCALL_H

#include <stdio.h>
#include <stdlib.h>

static int in_syscall(int tid, long number, unsigned long lo,
                      unsigned long hi) {
  char path[64], line[256];
  snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  int ok = fgets(line, sizeof(line), f) != NULL;
  fclose(f);
  char *end;
  long n = ok ? strtol(line, &end, 10) : -1;
  if (n != number)
    return 0;
  unsigned long arg0 = strtoul(end, NULL, 16);
  return arg0 >= lo && arg0 <= hi;
}

#endif
