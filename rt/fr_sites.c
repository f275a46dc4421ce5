// SPDX-License-Identifier: Apache-2.0
// fr_sites.c: the site registry: what each site id means.
//
// Every instrumented module (a translation unit, or an LTO partition) has a
// constructor, emitted by the plugin, that calls __fr_register_module with its
// table of fr_site_desc. The registry gives the module a base id, writes it
// into the module's own variable (the inserted code adds its local index to
// it), and copies the names into runtime-owned memory so snapshots never read
// an unloaded module's strings. Memory comes from mmap, not malloc: the
// constructor of an instrumented allocator may be the first to register.
//
// Concurrency: registration takes fr_sites_lock and publishes a new module at
// the head of an append-only list with release ordering; snapshots walk the
// list from a head loaded with acquire, without the lock (so the crash path
// can). Modules are never removed.
#include "fr_internal.h"

#include <string.h>

struct fr_module {
  struct fr_module *next;
  uint32_t base;
  uint32_t count;
  struct fr_site_record *records;
  const char **functions;
  const char **files;
  const char **callees;
};

static pthread_mutex_t fr_sites_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fr_module *fr_modules;
static uint32_t fr_next_site_id = 1;
static uint8_t *fr_arena, *fr_arena_end;

static void *fr_arena_alloc(size_t bytes) {
  bytes = (bytes + 7) & ~(size_t)7;
  if (!fr_arena || (size_t)(fr_arena_end - fr_arena) < bytes) {
    size_t size = bytes > (1u << 20) ? bytes : (1u << 20);
    void *p = fr_map(size);
    if (!p)
      return NULL;
    fr_arena = p;
    fr_arena_end = fr_arena + size;
  }
  void *p = fr_arena;
  fr_arena += bytes;
  return p;
}

static const char *fr_arena_strdup(const char *s, uint16_t *len_out) {
  size_t len = s ? strlen(s) : 0;
  if (len > UINT16_MAX)
    len = UINT16_MAX;
  char *copy = fr_arena_alloc(len + 1);
  if (!copy)
    return NULL;
  if (len)
    memcpy(copy, s, len);
  copy[len] = 0;
  *len_out = (uint16_t)len;
  return copy;
}

FR_API void __fr_register_module(const struct fr_site_desc *sites,
                                 uint32_t count, uint32_t *base_out) {
  fr_env_init();
  pthread_mutex_lock(&fr_sites_lock);
  if (*base_out != FR_UNREGISTERED_SITE_BASE ||
      fr_next_site_id + count >= FR_UNREGISTERED_SITE_BASE) {
    // Registered already (a constructor run twice), or out of ids.
    pthread_mutex_unlock(&fr_sites_lock);
    return;
  }
  struct fr_module *m = fr_arena_alloc(sizeof(*m));
  struct fr_site_record *records =
      fr_arena_alloc(count * sizeof(struct fr_site_record));
  const char **functions = fr_arena_alloc(count * sizeof(char *));
  const char **files = fr_arena_alloc(count * sizeof(char *));
  const char **callees = fr_arena_alloc(count * sizeof(char *));
  if (!m || !records || !functions || !files || !callees) {
    pthread_mutex_unlock(&fr_sites_lock);
    return;
  }
  uint32_t base = fr_next_site_id;
  for (uint32_t i = 0; i < count; i++) {
    struct fr_site_record *r = &records[i];
    r->id = base + i;
    r->kind = sites[i].kind;
    r->detail = sites[i].detail;
    r->line = sites[i].line;
    functions[i] = fr_arena_strdup(sites[i].function, &r->function_len);
    files[i] = fr_arena_strdup(sites[i].file, &r->file_len);
    callees[i] = fr_arena_strdup(sites[i].callee, &r->callee_len);
    if (!functions[i] || !files[i] || !callees[i]) {
      pthread_mutex_unlock(&fr_sites_lock);
      return;
    }
  }
  for (uint32_t i = 0; i < count; i++)
    if (records[i].kind == FR_SITE_FUNCTION)
      fr_watch_consider(base + i, functions[i]);
  m->base = base;
  m->count = count;
  m->records = records;
  m->functions = functions;
  m->files = files;
  m->callees = callees;
  m->next = fr_modules;
  fr_next_site_id += count;
  __atomic_store_n(&fr_modules, m, __ATOMIC_RELEASE);
  __atomic_store_n(base_out, base, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&fr_sites_lock);
}

void fr_sites_fork(int after) {
  if (after)
    pthread_mutex_unlock(&fr_sites_lock);
  else
    pthread_mutex_lock(&fr_sites_lock);
}

const struct fr_module *fr_sites_first(void) {
  return __atomic_load_n(&fr_modules, __ATOMIC_ACQUIRE);
}

const struct fr_module *fr_sites_next(const struct fr_module *m) {
  return m->next;
}

uint32_t fr_sites_count(const struct fr_module *m) { return m->count; }

void fr_sites_get(const struct fr_module *m, uint32_t i,
                  struct fr_site_record *rec, const char **function,
                  const char **file, const char **callee) {
  *rec = m->records[i];
  *function = m->functions[i];
  *file = m->files[i];
  *callee = m->callees[i];
}
