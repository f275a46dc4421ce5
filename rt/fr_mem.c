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
// removed; a slot is read once its address is published (release/acquire).
// fr_map is async-signal-safe.
#include "fr_internal.h"

#include <sys/mman.h>

#define FR_MAX_MAPPINGS 8192

struct fr_mapping {
  void *addr;
  uint64_t bytes;
  // A mapping used from its start in units of unit_bytes: only the first
  // *units_used units can have been touched (NULL: any page may have been).
  const uint32_t *units_used;
  uint32_t unit_bytes;
};

static struct fr_mapping fr_mappings[FR_MAX_MAPPINGS];
static uint32_t fr_mapping_count;

// MAP_NORESERVE: a window is mapped whole and touched only as chunks are
// first handed out, so a large max_bytes reserves no swap it may never use.
void *fr_map_prefix(uint64_t bytes, const uint32_t *units_used,
                    uint32_t unit_bytes) {
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  uint32_t slot = __atomic_fetch_add(&fr_mapping_count, 1, __ATOMIC_RELAXED);
  if (slot < FR_MAX_MAPPINGS) {
    fr_mappings[slot].units_used = units_used;
    fr_mappings[slot].unit_bytes = unit_bytes;
    fr_mappings[slot].bytes = bytes;
    __atomic_store_n(&fr_mappings[slot].addr, p, __ATOMIC_RELEASE);
  }
  return p;
}

void *fr_map(uint64_t bytes) { return fr_map_prefix(bytes, NULL, 0); }

// Asking the kernel costs a page-table walk per page, touched or not: over a
// 64 TiB window that was minutes. A prefix mapping is asked about only the
// part its owner has used.
static uint64_t fr_resident(const struct fr_mapping *m) {
  const uint64_t page = 4096;
  unsigned char vec[4096];
  uint64_t bytes = m->bytes;
  if (m->units_used) {
    uint64_t used = (uint64_t)__atomic_load_n(m->units_used, __ATOMIC_RELAXED) *
                    m->unit_bytes;
    if (used < bytes)
      bytes = used;
  }
  uint64_t resident = 0;
  for (uint64_t off = 0; off < bytes; off += sizeof(vec) * page) {
    uint64_t len = bytes - off;
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
    if (__atomic_load_n(&fr_mappings[i].addr, __ATOMIC_ACQUIRE))
      total += fr_resident(&fr_mappings[i]);
  return total;
}
