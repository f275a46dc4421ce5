// SPDX-License-Identifier: Apache-2.0
// fr_process.c: one recorder per process, however the runtime was linked.
//
// A process can hold several copies of the runtime: libfr.a in the program
// and libfr.so beside it, libfr.a linked into a shared library by its own
// build (what libtool does), two plugins' worth of libraries. Each copy has
// its own state; two running at once would each record part of the process
// and write snapshots under one file name. The dynamic linker settles which
// copy is the process's: instrumented code calls fr's entry points through
// the GOT (the plugin declares them nonlazybind), so every module binds to
// the first definition in the global lookup scope, the program's when it
// exports them (fr-clang and fr_instrument() link programs with
// lib/fr/fr.dynamic-list), else the first library loaded with them. Every
// copy looks that definition up as the dynamic linker would and compares it
// with its own; a copy that is not it stands down: it starts no recorder,
// installs no handler, writes no snapshot. Modules bound to it anyway (hidden by a version script, a
// program that links libfr.a without exporting it while a library uses
// libfr.so; a second library dlopen()ed with RTLD_LOCAL that carries its
// own copy) could only record into nothing: their sites stay off, and one
// line on stderr says which copy and how to link it.
//
// Concurrency: fr_process_is_recorder decides once (pthread_once), from the
// first module constructor or the runtime's own, without allocating (that
// constructor may be an allocator's); the warning is said once.
#include "fr_internal.h"
#include "fr_text.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>

static pthread_once_t fr_process_once = PTHREAD_ONCE_INIT;
static int fr_process_standing_down;
static const char *fr_process_recorder_at; // the file of the process's copy

// The dynamic linker's own lookup (dlsym) allocates when a name is not
// found, and this runs in module constructors, which may be an allocator's:
// the lookup is done here, over each loaded object's dynamic symbol table
// through its hash table, without allocating. The first object, in load
// order (the program first), that defines and exports the name is the one
// every module's reference binds to.
static uint32_t fr_gnu_hash(const char *name) {
  uint32_t h = 5381;
  for (const unsigned char *c = (const unsigned char *)name; *c; c++)
    h = h * 33 + *c;
  return h;
}

static uint32_t fr_sysv_hash(const char *name) {
  uint32_t h = 0;
  for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
    h = (h << 4) + *c;
    uint32_t g = h & 0xf0000000u;
    if (g)
      h ^= g >> 24;
    h &= ~g;
  }
  return h;
}

// A dynamic-section address: already relocated by glibc for most objects,
// relative to the load address for the few it leaves alone (the vDSO).
static const void *fr_dyn_ptr(const struct dl_phdr_info *info, ElfW(Addr) v) {
  return (const void *)(v < info->dlpi_addr ? info->dlpi_addr + v : v);
}

static int fr_symbol_exported(const ElfW(Sym) *sym, const char *strtab,
                              const char *name) {
  return sym->st_shndx != SHN_UNDEF && sym->st_value &&
         ELF64_ST_VISIBILITY(sym->st_other) == STV_DEFAULT &&
         (ELF64_ST_BIND(sym->st_info) == STB_GLOBAL ||
          ELF64_ST_BIND(sym->st_info) == STB_WEAK) &&
         strcmp(strtab + sym->st_name, name) == 0;
}

struct fr_lookup {
  const char *name;
  const void *found;
  const char *file;
};

static int fr_lookup_in(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  struct fr_lookup *l = arg;
  const ElfW(Dyn) *dyn = NULL;
  for (int i = 0; i < info->dlpi_phnum; i++)
    if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
      dyn = (const void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
  if (!dyn)
    return 0;
  const ElfW(Sym) *symtab = NULL;
  const char *strtab = NULL;
  const uint32_t *gnu = NULL, *sysv = NULL;
  for (; dyn->d_tag != DT_NULL; dyn++) {
    if (dyn->d_tag == DT_SYMTAB)
      symtab = fr_dyn_ptr(info, dyn->d_un.d_ptr);
    else if (dyn->d_tag == DT_STRTAB)
      strtab = fr_dyn_ptr(info, dyn->d_un.d_ptr);
    else if (dyn->d_tag == DT_GNU_HASH)
      gnu = fr_dyn_ptr(info, dyn->d_un.d_ptr);
    else if (dyn->d_tag == DT_HASH)
      sysv = fr_dyn_ptr(info, dyn->d_un.d_ptr);
  }
  if (!symtab || !strtab)
    return 0;
  const ElfW(Sym) *hit = NULL;
  if (gnu) {
    uint32_t nbuckets = gnu[0], symoffset = gnu[1], bloom_size = gnu[2];
    const uint32_t *buckets =
        (const uint32_t *)((const ElfW(Addr) *)(gnu + 4) + bloom_size);
    const uint32_t *chain = buckets + nbuckets;
    uint32_t h = fr_gnu_hash(l->name);
    uint32_t i = nbuckets ? buckets[h % nbuckets] : 0;
    if (i >= symoffset) {
      for (;; i++) {
        uint32_t ch = chain[i - symoffset];
        if ((ch | 1) == (h | 1) && fr_symbol_exported(&symtab[i], strtab, l->name)) {
          hit = &symtab[i];
          break;
        }
        if (ch & 1)
          break;
      }
    }
  } else if (sysv) {
    uint32_t nbuckets = sysv[0];
    const uint32_t *buckets = sysv + 2, *chain = buckets + nbuckets;
    for (uint32_t i = nbuckets ? buckets[fr_sysv_hash(l->name) % nbuckets] : 0;
         i != STN_UNDEF; i = chain[i])
      if (fr_symbol_exported(&symtab[i], strtab, l->name)) {
        hit = &symtab[i];
        break;
      }
  }
  if (!hit)
    return 0;
  l->found = (const void *)(info->dlpi_addr + hit->st_value);
  l->file = info->dlpi_name;
  return 1; // the first one is the one that binds
}

static void fr_process_decide(void) {
  struct fr_lookup l = {"__fr_register_module", NULL, NULL};
  dl_iterate_phdr(fr_lookup_in, &l);
  // None exported (a static program, a copy dlopen()ed with RTLD_LOCAL
  // alone), or this one: this copy records.
  if (!l.found || l.found == (const void *)fr_register_module_here)
    return;
  fr_process_standing_down = 1;
  fr_process_recorder_at = l.file;
}

int fr_process_is_recorder(void) {
  pthread_once(&fr_process_once, fr_process_decide);
  return !fr_process_standing_down;
}

// The file this copy of the runtime is in (the program's path is "").
static const char *fr_process_this_copy(void) {
  Dl_info info;
  if (dladdr((void *)fr_register_module_here, &info) && info.dli_fname &&
      info.dli_fname[0])
    return info.dli_fname;
  return "the program";
}

void fr_process_refuse_module(const void *module_code) {
  static int said;
  if (__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
    return;
  Dl_info info;
  const char *module = "a module";
  if (dladdr(module_code, &info) && info.dli_fname && info.dli_fname[0])
    module = info.dli_fname;
  char line[2048];
  struct fr_text t = fr_text_in(line, sizeof(line));
  fr_text_str(&t, "fr: ");
  fr_text_path(&t, module);
  fr_text_str(&t, " is instrumented against a second fr runtime (in ");
  const char *here = fr_process_this_copy();
  fr_text_path(&t, here);
  fr_text_str(&t, "; the process records with the one in ");
  const char *there =
      fr_process_recorder_at && fr_process_recorder_at[0]
          ? fr_process_recorder_at
          : "the program";
  fr_text_path(&t, there);
  fr_text_str(&t, "): its events are not recorded. Link programs and "
                  "libraries with fr-clang (or fr_instrument() in CMake)");
  fr_text_say(&t, line);
}
