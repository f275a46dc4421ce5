// SPDX-License-Identifier: Apache-2.0
// fr_mem.c: every byte of memory the recorder owns, and how much of it is
// resident.
//
// The runtime never calls malloc (hooks run inside instrumented allocators);
// all its memory comes from fr_map, which remembers each mapping so that
// fr_memory_bytes can report the recorder's own resident set (mincore), the
// figure that max_bytes bounds, apart from the program's.
//
// Concurrency: mappings are appended with an atomic slot counter and never
// removed; readers see a prefix of the table. fr_map is async-signal-safe.
#include "fr_internal.h"

#include <sys/mman.h>

#define FR_MAX_MAPPINGS 8192

struct fr_mapping {
  void *addr;
  uint64_t bytes;
};

static struct fr_mapping fr_mappings[FR_MAX_MAPPINGS];
static uint32_t fr_mapping_count;

// MAP_NORESERVE: a window is mapped whole and touched only as chunks are
// first handed out, so a large max_bytes reserves no swap it may never use.
void *fr_map(uint64_t bytes) {
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  uint32_t slot = __atomic_fetch_add(&fr_mapping_count, 1, __ATOMIC_RELAXED);
  if (slot < FR_MAX_MAPPINGS) {
    fr_mappings[slot].addr = p;
    fr_mappings[slot].bytes = bytes;
  }
  return p;
}

static uint64_t fr_resident(const struct fr_mapping *m) {
  const uint64_t page = 4096;
  unsigned char vec[256];
  uint64_t resident = 0;
  for (uint64_t off = 0; off < m->bytes; off += sizeof(vec) * page) {
    uint64_t len = m->bytes - off;
    if (len > sizeof(vec) * page)
      len = sizeof(vec) * page;
    if (mincore((char *)m->addr + off, len, vec) != 0)
      return resident;
    for (uint64_t i = 0; i < (len + page - 1) / page; i++)
      resident += (vec[i] & 1) * page;
  }
  return resident;
}

FR_API uint64_t fr_memory_bytes(void) {
  uint32_t n = __atomic_load_n(&fr_mapping_count, __ATOMIC_RELAXED);
  if (n > FR_MAX_MAPPINGS)
    n = FR_MAX_MAPPINGS;
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++)
    if (fr_mappings[i].addr)
      total += fr_resident(&fr_mappings[i]);
  return total;
}
