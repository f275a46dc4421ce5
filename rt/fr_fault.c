// SPDX-License-Identifier: Apache-2.0
// fr_fault.c: what a crash was: the faulting instruction, the address the
// fault was about, the kernel's reason (si_code), and the instruction's
// place in its object file, so that `addr2line -e FILE ADDRESS` (or
// llvm-symbolizer) names the line without the process's memory map, which
// changes from run to run (ASLR).
//
// The object is found in /proc/self/maps, read with open/read into a buffer
// on the stack: a crash handler can neither allocate nor take the loader's
// lock (dladdr, dl_iterate_phdr). The mapping that holds the instruction and
// the first mapping of the same file (offset 0, its ELF header) give the
// object's load base; an executable that is not position-independent
// (ET_EXEC) is linked at its addresses, so its instruction's address is its
// own.
//
// Concurrency: called by the crashing thread in its signal handler; reads
// only its arguments, the kernel's map and the mapped ELF header, and writes
// only *out. Async-signal-safe.
#include "fr_internal.h"

#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

// The faulting instruction, from the handler's context (0 on an
// architecture this does not know).
uintptr_t fr_fault_pc(const void *uctx) {
  const ucontext_t *uc = uctx;
#if defined(__x86_64__)
  return uc ? (uintptr_t)uc->uc_mcontext.gregs[REG_RIP] : 0;
#elif defined(__aarch64__)
  return uc ? (uintptr_t)uc->uc_mcontext.pc : 0;
#else
  (void)uc;
  return 0;
#endif
}

// One line of /proc/self/maps as it streams by: "start-end perms offset
// dev inode   path"; only the fields the lookup needs.
struct fr_maps_line {
  uint64_t start, end, offset;
  int field;      // 0 start, 1 end, 2 perms, 3 offset, 4 dev, 5 inode, 6 path
  int readable;   // perms begin with r
  uint32_t perms_len;
  char name[FR_CRASH_MODULE_SIZE]; // the path's last component, truncated
  uint32_t name_len;
  char path_head[FR_CRASH_MODULE_SIZE]; // to tell files apart, with the length
  uint32_t path_len;
};

static int fr_hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static void fr_maps_char(struct fr_maps_line *l, char c) {
  int digit = fr_hex_digit(c);
  switch (l->field) {
  case 0:
  case 1:
  case 3: {
    uint64_t *v = l->field == 0 ? &l->start : l->field == 1 ? &l->end : &l->offset;
    if (digit >= 0)
      *v = *v << 4 | (uint64_t)digit;
    else
      l->field++;
    return;
  }
  case 2:
    if (l->perms_len++ == 0)
      l->readable = c == 'r';
    if (c == ' ')
      l->field++;
    return;
  case 4:
  case 5:
    if (c == ' ')
      l->field++;
    return;
  default:
    if (c == ' ' && !l->path_len)
      return; // the padding before the path
    if (l->path_len < sizeof(l->path_head))
      l->path_head[l->path_len] = c;
    l->path_len++;
    if (c == '/') {
      l->name_len = 0;
    } else if (l->name_len < sizeof(l->name) - 1) {
      l->name[l->name_len++] = c;
    }
  }
}

static int fr_same_file(const struct fr_maps_line *a,
                        const struct fr_maps_line *b) {
  return a->path_len && a->path_len == b->path_len &&
         !strcmp(a->name, b->name) &&
         !memcmp(a->path_head, b->path_head,
                 a->path_len < sizeof(a->path_head) ? a->path_len
                                                    : sizeof(a->path_head));
}

// Fills out's module fields from the mapping that holds pc, if it is a
// file's: its name, and pc in the file's own addresses.
static void fr_fault_module(uintptr_t pc, struct fr_fault *out) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  struct fr_maps_line line, first; // first: the current file's offset-0 mapping
  memset(&line, 0, sizeof(line));
  memset(&first, 0, sizeof(first));
  char buf[1024];
  ssize_t got;
  while ((got = read(fd, buf, sizeof(buf))) > 0) {
    for (ssize_t i = 0; i < got; i++) {
      if (buf[i] != '\n') {
        fr_maps_char(&line, buf[i]);
        continue;
      }
      line.name[line.name_len] = 0;
      if (line.offset == 0 && line.path_len)
        first = line;
      if (pc >= line.start && pc < line.end) {
        close(fd);
        if (!line.path_len || line.name[0] == '[')
          return; // anonymous memory, the stack, [vdso]...
        uint64_t base = line.start - line.offset;
        if (fr_same_file(&first, &line) && first.readable) {
          base = first.start;
          const Elf64_Ehdr *ehdr = (const Elf64_Ehdr *)(uintptr_t)first.start;
          if (!memcmp(ehdr->e_ident, ELFMAG, SELFMAG) && ehdr->e_type == ET_EXEC)
            base = 0;
        }
        out->module_pc = pc - base;
        memcpy(out->module, line.name, line.name_len + 1);
        out->flags |= FR_CRASH_MODULE;
        return;
      }
      memset(&line, 0, sizeof(line));
    }
  }
  close(fd);
}

void fr_fault_describe(int sig, const siginfo_t *si, const void *uctx,
                       struct fr_fault *out) {
  memset(out, 0, sizeof(*out));
  out->pc = fr_fault_pc(uctx);
  if (out->pc)
    out->flags |= FR_CRASH_PC;
  if (si) {
    out->code = si->si_code;
    out->flags |= FR_CRASH_CODE;
    // si_addr is the data address of a memory fault the kernel raised
    // (si_code > 0); for SIGILL and SIGFPE it is the instruction (pc says
    // that), kill() and raise() leave it unset, and so does the kernel for
    // a fault it cannot pin on an address (SI_KERNEL: on x86-64 a general
    // protection fault, such as an access through a non-canonical pointer).
    if (si->si_code > 0 && si->si_code != SI_KERNEL &&
        (sig == SIGSEGV || sig == SIGBUS)) {
      out->addr = (uintptr_t)si->si_addr;
      out->flags |= FR_CRASH_ADDR;
    }
  }
  if (out->pc)
    fr_fault_module(out->pc, out);
}
