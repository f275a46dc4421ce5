// A crash snapshot says what the fault was: the address (si_addr), the
// kernel's reason (si_code), the faulting instruction, and that instruction
// in its object file's addresses, which llvm-symbolizer (or addr2line)
// turns back into the function that crashed: in a position-independent
// executable, in one that is not (-no-pie), and in libc. A signal sent by
// raise() has a sender, not an address, and so has a fault the kernel
// cannot pin on one (a non-canonical pointer: si_addr 0, not a NULL).
// Under check-asan, UBSan reports the division by zero and the NULL passed
// to strlen (declared nonnull) before they fault, and the program goes on:
// UNSUPPORTED: asan
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: %clang_fr -O1 -fno-pic -no-pie %s -o %t.nopie %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env FR_OPTIONS=output=%t.dir/mapped.fr not --crash %t write-unmapped 2> /dev/null
// RUN: %frtool dump %t.dir/mapped.fr | FileCheck %s --check-prefix=MAPPED
// RUN: %frtool dump %t.dir/mapped.fr | sed -n 's/^# trigger .* = [^+]*+//p' | %llvm_bin/llvm-symbolizer --obj=%t | FileCheck %s --check-prefix=WHERE
// RUN: %frtool summary --json %t.dir/mapped.fr | FileCheck %s --check-prefix=JSON
// RUN: env FR_OPTIONS=output=%t.dir/nopie.fr not --crash %t.nopie write-unmapped 2> /dev/null
// RUN: %frtool dump %t.dir/nopie.fr | FileCheck %s --check-prefix=NOPIE
// RUN: %frtool dump %t.dir/nopie.fr | sed -n 's/^# trigger .* = [^+]*+//p' | %llvm_bin/llvm-symbolizer --obj=%t.nopie | FileCheck %s --check-prefix=WHERE
// RUN: env FR_OPTIONS=output=%t.dir/readonly.fr not --crash %t write-readonly 2> /dev/null
// RUN: %frtool summary %t.dir/readonly.fr | FileCheck %s --check-prefix=READONLY
// RUN: env FR_OPTIONS=output=%t.dir/divide.fr not --crash %t divide 2> /dev/null
// RUN: %frtool summary %t.dir/divide.fr | FileCheck %s --check-prefix=DIVIDE
// RUN: env FR_OPTIONS=output=%t.dir/libc.fr not --crash %t libc 2> /dev/null
// RUN: %frtool summary %t.dir/libc.fr | FileCheck %s --check-prefix=LIBC
// RUN: env FR_OPTIONS=output=%t.dir/noncanonical.fr not --crash %t write-noncanonical 2> /dev/null
// RUN: %frtool summary %t.dir/noncanonical.fr | FileCheck %s --check-prefix=NONCANONICAL
// RUN: env FR_OPTIONS=output=%t.dir/raise.fr not --crash %t raise 2> /dev/null
// RUN: %frtool summary %t.dir/raise.fr | FileCheck %s --check-prefix=RAISE
// MAPPED: # trigger crash SIGSEGV on T1, address 0x40 (SEGV_MAPERR: address not mapped), pc 0x{{[0-9a-f]+}} = crash-fault.c.tmp+0x{{[0-9a-f]+$}}
// WHERE: write_unmapped
// JSON: "crash":{"signal":11,"si_code":1,"reason":"SEGV_MAPERR: address not mapped","address":64,"pc":{{[0-9]+}},"module":"crash-fault.c.tmp","module_pc":{{[0-9]+}}}
// NOPIE: # trigger crash SIGSEGV on T1, address 0x40 (SEGV_MAPERR: address not mapped), pc 0x[[PC:[0-9a-f]+]] = crash-fault.c.tmp.nopie+0x[[PC]]{{$}}
// READONLY: taken by: crash SIGSEGV on T1, address 0x{{[0-9a-f]+}}008 (SEGV_ACCERR: no permission for the access), pc
// DIVIDE: taken by: crash SIGFPE on T1 (FPE_INTDIV: integer divide by zero), pc
// LIBC: taken by: crash SIGSEGV on T1, address 0x0 (SEGV_MAPERR: address not mapped), pc 0x{{[0-9a-f]+}} = libc.so.6+0x
// NONCANONICAL: taken by: crash SIGSEGV on T1 (SI_KERNEL: raised by the kernel with no address (on x86-64, a general protection fault: a non-canonical pointer, say)), pc 0x{{[0-9a-f]+}} = crash-fault.c.tmp+0x
// RAISE: taken by: crash SIGABRT on T1 (SI_TKILL: sent by tgkill() (raise(), abort())), pc 0x{{[0-9a-f]+}} = libc.so.6+0x
#include "fr.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

volatile int *volatile unmapped = (int *)0x40;
volatile int *volatile noncanonical = (int *)0x8000000000000000ull;
volatile int zero;
const char *volatile no_string;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void write_unmapped(void) {
  *unmapped = 1;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void write_noncanonical(void) {
  *noncanonical = 1;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void write_readonly(void) {
  char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ((volatile char *)page)[8] = 1;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int divide(int x) {
  return x / zero;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int measure(const char *s) {
  return (int)strlen(s);
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void give_up(void) {
  raise(SIGABRT);
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  if (!strcmp(what, "write-unmapped"))
    write_unmapped();
  else if (!strcmp(what, "write-noncanonical"))
    write_noncanonical();
  else if (!strcmp(what, "write-readonly"))
    write_readonly();
  else if (!strcmp(what, "divide"))
    return divide(argc);
  else if (!strcmp(what, "libc"))
    return measure(no_string);
  else if (!strcmp(what, "raise"))
    give_up();
  return 0;
}
