// Shapes of calls that a wrapper or an outlined body must record as the
// program made them (test/e2e/recording-wrapper.c, outline.c): recursion not
// in tail position, and a longjmp out of several frames.
#ifndef FR_TEST_RECURSION_SHAPES_H
#define FR_TEST_RECURSION_SHAPES_H

#include "fr.h"

#include <setjmp.h>

static volatile unsigned sink;
static jmp_buf back;

// Two calls of itself, neither in tail position: 2^(depth+1) - 1 calls
// (15 from main's tree(3), and one more from after_jump).
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) unsigned tree(unsigned depth) {
  if (depth == 0)
    return sink + 1;
  unsigned left = tree(depth - 1);
  unsigned right = tree(depth - 1);
  return left + right + sink;
}

// Jumps out of itself, three frames deep from jumper(2), at the bottom.
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void jumper(unsigned depth) {
  sink++;
  if (depth == 0)
    longjmp(back, 1);
  jumper(depth - 1);
  sink++;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) unsigned after_jump(void) {
  return tree(0) + sink;
}

#endif
