// A program that knows nothing of fr dlopen()s an instrumented plugin
// linked with libfr.so: the runtime arrives with the plugin, after start-up,
// so its initial-exec TLS (264 bytes, docs/hot-path.md) comes from glibc's
// static TLS surplus for dlopen. It loads, records, and writes its snapshot
// at exit.
// RUN: %clang_fr -O2 -fPIC -shared %S/Inputs/shlib.c -o %t.so %fr_link_shared
// RUN: %clang_plain -O2 %s -o %t -ldl
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t %t.so | FileCheck %s
// RUN: %frtool dump %t.fr | FileCheck %s --check-prefix=DUMP
// CHECK: loaded, in_library(1) = 41
// DUMP: enter in_library {{.*}}shlib.c:3
// DUMP-NEXT: exit in_library {{.*}}shlib.c:3
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  void *lib = dlopen(argv[1], RTLD_NOW);
  if (!lib) {
    printf("dlopen failed: %s\n", dlerror());
    return 1;
  }
  int (*in_library)(int) = (int (*)(int))dlsym(lib, "in_library");
  printf("loaded, in_library(1) = %d\n", in_library ? in_library(1) : -1);
  return 0;
}
