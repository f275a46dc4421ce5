// The recorder starts from the first instrumented module's constructor,
// which may belong to an instrumented allocator: nothing on that path
// allocates, uses stdio or starts a thread. This program interposes malloc,
// calloc, realloc, the stdio writers and pthread_create, and a constructor
// of its own at priority 2 (after the modules' priority-1 constructors,
// before the runtime's own) reports what was called until then, with
// FR_OPTIONS (a condition trigger, whose thread must wait; a bad key, whose
// line must go out without stdio) and without. The counts must match the
// run without FR_OPTIONS (what glibc itself does), and the recorder must be
// running by then. The snapshot thread starts later, in the runtime's own
// constructor.
// The sanitizers own malloc and pthread_create: they cannot be interposed.
// UNSUPPORTED: asan, tsan
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: %t | FileCheck %s --check-prefix=PLAIN
// RUN: env FR_OPTIONS=lock_wait=50ms,exit_dump=0 %t | FileCheck %s --check-prefix=ON
// RUN: env FR_OPTIONS=colour=blue %t 2>&1 | FileCheck %s --check-prefix=BAD
// PLAIN: in module constructors: malloc 0, stdio 0, threads 0, recording 0
// ON: in module constructors: malloc 0, stdio 0, threads 0, recording 1
// ON: by main: threads 1
// BAD: fr: FR_OPTIONS: unknown option 'colour'
// BAD: in module constructors: malloc 0, stdio 0, threads 0, recording 0
#define _GNU_SOURCE
#include "fr.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mallocs, stdio_calls, threads;

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
void *malloc(size_t n) { mallocs++; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { mallocs++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { mallocs++; return __libc_realloc(p, n); }

int fprintf(FILE *f, const char *fmt, ...) {
  stdio_calls++;
  va_list ap;
  va_start(ap, fmt);
  int r = vfprintf(f, fmt, ap);
  va_end(ap);
  return r;
}
int fputs(const char *s, FILE *f) {
  stdio_calls++;
  return fwrite(s, 1, strlen(s), f) == strlen(s) ? 1 : EOF;
}

int pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *),
                   void *arg) {
  static int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
                     void *);
  threads++;
  if (!real)
    real = (int (*)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
                    void *))dlsym(RTLD_NEXT, "pthread_create");
  return real(t, a, f, arg);
}

static char report[128];

__attribute__((constructor(2))) static void after_module_constructors(void) {
  fr_recorder *r = fr_default_recorder();
  int m = mallocs, s = stdio_calls, t = threads;
  snprintf(report, sizeof(report),
           "in module constructors: malloc %d, stdio %d, threads %d, "
           "recording %d",
           m, s, t, r && fr_enabled(r));
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int work(int x) {
  return x + 1;
}

int main(void) {
  puts(report);
  printf("by main: threads %d\n", threads);
  return work(0) == 1 ? 0 : 1;
}
