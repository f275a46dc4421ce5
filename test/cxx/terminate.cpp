// An exception nothing catches ends in std::terminate: the unwinder's
// search finds no handler and unwinds nothing, so the crash snapshot
// (SIGABRT) shows every frame still open, as they were when it aborted:
// no exit recorded by a cleanup, no resume. A noexcept function is a
// handler to the unwinder (its landing pad calls std::terminate): the
// frames above it are unwound, with their exits, and it resumes, then
// aborts.
// RUN: %clangxx_fr -O2 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/uncaught.fr not --crash %t uncaught 2> /dev/null
// RUN: %frtool validate %t.dir/uncaught.fr
// RUN: %frtool dump %t.dir/uncaught.fr | FileCheck %s --check-prefix=UNCAUGHT
// RUN: env FR_OPTIONS=output=%t.dir/noexcept.fr not --crash %t noexcept 2> /dev/null
// RUN: %frtool dump %t.dir/noexcept.fr | FileCheck %s --check-prefix=NOEXCEPT
// RUN: %frtool summary %t.dir/noexcept.fr | FileCheck %s --check-prefix=SUMMARY
#include "fr.h"

#include <cstring>
#include <stdexcept>

struct Counted {
  ~Counted() { __asm__ volatile(""); }
};

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void thrower(int depth) {
  Counted c;
  if (depth == 0)
    throw std::runtime_error("nobody catches this");
  thrower(depth - 1);
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void promise(int depth) noexcept {
  thrower(depth);
}

FR_ALWAYS_INSTRUMENT int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "noexcept"))
    promise(3);
  else
    thrower(3);
  return 0;
}

// UNCAUGHT: # trigger crash SIGABRT
// UNCAUGHT: enter main
// UNCAUGHT-COUNT-4: enter thrower(int)
// UNCAUGHT-NOT: exit
// UNCAUGHT-NOT: resume
// NOEXCEPT: # trigger crash SIGABRT
// NOEXCEPT: enter main
// NOEXCEPT-NEXT: enter promise(int)
// NOEXCEPT-COUNT-4: enter thrower(int)
// NOEXCEPT-COUNT-4: exit thrower(int)
// NOEXCEPT-NEXT: resume promise(int) {{.*}} (exception caught)
// NOEXCEPT-NOT: {{enter|exit}}
// SUMMARY: taken by: crash SIGABRT
// SUMMARY: 4 {{.*}} thrower(int)
