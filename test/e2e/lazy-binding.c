// The function hooks use preserve_most: every register but r11 is the
// hook's to save. A call through a lazily bound PLT slot enters glibc's
// resolver on its first use, which does not save r10. The plugin declares
// every hook nonlazybind, so calls go through GOT entries the loader fills
// at start, as -fno-plt does. Checked twice: the plugin's object has GOT calls to the hooks and no PLT ones, and
// an assembly probe, linked with libfr.so under lazy binding, fills every
// register the convention keeps, calls each hook the way that code does
// (the first call of each, while recording: registration, a chunk, the slow
// path) and compares.
// Position-independent code only (-fPIE; clang 13 defaults to non-PIE):
// non-PIC code calls a hook through the PLT whatever the declaration says,
// and a program built so and linked against libfr.so needs -z now, which
// fr-clang adds (test/install/wrapper.test).
// REQUIRES: x86_64
// RUN: %clang_fr -fPIE -O2 -c %s -o %t.o
// RUN: llvm-objdump -dr %t.o | FileCheck %s --check-prefix=RELOCS
// RUN: %clang_plain -pie %t.o -o %t -Wl,-z,lazy %fr_link_shared
// RUN: env -u LD_BIND_NOW FR_OPTIONS=exit_dump=0 %t | FileCheck %s
// RELOCS-NOT: R_X86_64_PLT32 __fr_{{func|lock|cond|block}}
// RELOCS: R_X86_64_GOTPCRELX __fr_func_enter
// RELOCS-NOT: R_X86_64_PLT32 __fr_{{func|lock|cond|block}}
// RELOCS: R_X86_64_GOTPCRELX __fr_func_exit
// RELOCS-NOT: R_X86_64_PLT32 __fr_{{func|lock|cond|block}}
// CHECK: enter: every preserved register kept
// CHECK: exit: every preserved register kept
#include "fr.h"

#include <stdint.h>
#include <stdio.h>

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int instrumented(int x) {
  return x * 3;
}

// probe(hook, out): loads a distinct pattern into every register that
// preserve_most keeps (rax rcx rdx rsi r8 r9 r10 rbx rbp r12-r15; rdi is the
// site argument, kept too), calls *hook with site 0, and stores what the
// registers hold after the call into out[0..13].
void probe(void (*hook)(uint32_t), uint64_t out[14]);
__asm__(".text\n"
        ".globl probe\n"
        ".type probe,@function\n"
        "probe:\n"
        "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n"
        "  push %r14\n  push %r15\n"
        "  push %rsi\n" // out
        "  mov %rdi, %r11\n"
        "  movabs $0x1111111111111101, %rax\n"
        "  movabs $0x1111111111111102, %rcx\n"
        "  movabs $0x1111111111111103, %rdx\n"
        "  movabs $0x1111111111111104, %rsi\n"
        "  movabs $0x1111111111111105, %r8\n"
        "  movabs $0x1111111111111106, %r9\n"
        "  movabs $0x1111111111111107, %r10\n"
        "  movabs $0x1111111111111108, %rbx\n"
        "  movabs $0x1111111111111109, %rbp\n"
        "  movabs $0x111111111111110a, %r12\n"
        "  movabs $0x111111111111110b, %r13\n"
        "  movabs $0x111111111111110c, %r14\n"
        "  movabs $0x111111111111110d, %r15\n"
        "  xor %edi, %edi\n"
        "  sub $8, %rsp\n" // 16-byte alignment at the call
        "  call *%r11\n"
        "  add $8, %rsp\n"
        "  mov (%rsp), %r11\n"
        "  mov %rax, 0(%r11)\n  mov %rcx, 8(%r11)\n  mov %rdx, 16(%r11)\n"
        "  mov %rsi, 24(%r11)\n  mov %r8, 32(%r11)\n  mov %r9, 40(%r11)\n"
        "  mov %r10, 48(%r11)\n  mov %rbx, 56(%r11)\n  mov %rbp, 64(%r11)\n"
        "  mov %r12, 72(%r11)\n  mov %r13, 80(%r11)\n  mov %r14, 88(%r11)\n"
        "  mov %r15, 96(%r11)\n  mov %rdi, 104(%r11)\n"
        "  pop %rsi\n"
        "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n"
        "  pop %rbp\n  pop %rbx\n"
        "  ret\n"
        ".size probe, .-probe\n");

// The hooks as the instrumented code reaches them: the address from the
// GOT (the loader bound it at start, like the plugin's nonlazybind calls).
extern void __fr_func_enter(uint32_t) __attribute__((preserve_most));
extern void __fr_func_exit(uint32_t) __attribute__((preserve_most));

typedef void (*hook_fn)(uint32_t);

static void check(const char *name, hook_fn hook) {
  static const char *regs[14] = {"rax", "rcx", "rdx", "rsi", "r8",
                                 "r9",  "r10", "rbx", "rbp", "r12",
                                 "r13", "r14", "r15", "rdi"};
  uint64_t out[14];
  probe(hook, out);
  int bad = 0;
  for (int i = 0; i < 13; i++)
    if (out[i] != 0x1111111111111101ull + (uint64_t)i)
      printf("%s: %s clobbered: %#llx\n", name, regs[i],
             (unsigned long long)out[i]), bad = 1;
  if (out[13] != 0)
    printf("%s: rdi clobbered\n", name), bad = 1;
  if (!bad)
    printf("%s: every preserved register kept\n", name);
}

int main(void) {
  volatile int x = instrumented(1);
  (void)x;
  check("enter", (hook_fn)__fr_func_enter);
  check("exit", (hook_fn)__fr_func_exit);
  return 0;
}
