// Built as C, without -fexceptions: its frames record an entry, and an
// exception passes through them without running anything, so they record
// no exit. The reader closes them where the catching frame resumes.
#include "fr.h"

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void c_visit(void (*fn)(int),
                                                            int depth) {
  fn(depth);
  __asm__ volatile("");
}
