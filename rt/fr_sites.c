// SPDX-License-Identifier: Apache-2.0
// fr_sites.c: the site registry: what each site id means.
//
// Every instrumented module (a translation unit, or an LTO partition) has a
// constructor, emitted by the plugin, that calls __fr_register_module with its
// table of fr_site_desc and its guard bytes (one per site, which the inserted
// code tests before each hook). The registry gives the module a base id,
// writes it into the module's own variable (the inserted code adds its local
// index to it), and copies the names into runtime-owned memory so snapshots
// never read an unloaded module's strings. Memory comes from mmap, not malloc:
// the constructor of an instrumented allocator may be the first to register.
//
// The guards are the recorder's switch: FR_GUARD_ON at every site while it
// runs, 0 while it is stopped; the overhead budget (fr_budget.c) mutes one
// site at a time (0 for a function and a lock site with FR_LOCK_MUTED_OFF,
// FR_GUARD_SLOW for another lock or blocking call site, which still records
// its waits and slow calls; a function it counts keeps its guard and takes
// a slot of the counted tier, fr_counted.c) and marks its record
// FR_SITE_MUTED while it is, until it re-arms it. A module's destructor
// (dlclose, or exit) unregisters its guards, which are never written after
// that, and gives its counted sites' slots back.
//
// Concurrency: registration, guard changes and the flags they leave in the
// records take fr_registry_lock. A new module is published at the head of an
// append-only list with release ordering; snapshots walk the list from a head
// loaded with acquire, holding the lock across the two passes over the site
// table (checksum, then bytes) so a site muted in between cannot make them
// differ; the crash path waits for it only briefly. Modules are never removed
// from the list. Guard bytes are written with relaxed atomic stores and read
// by plain loads in instrumented code: a site may record a few events after
// it is muted, and that is all a stale read can do.
#include "fr_internal.h"

#include <string.h>

struct fr_module {
  struct fr_module *next;
  uint32_t base;
  uint32_t count;
  uint8_t *guards; // in the module; NULL for fr_user.c's names, or unloaded
  struct fr_site_record *records;
  const char **functions;
  const char **files;
  const char **callees;
};

static pthread_mutex_t fr_registry_lock = PTHREAD_MUTEX_INITIALIZER;
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

// The guard byte of a registered, running site that is not muted.
static uint8_t fr_guard_on(void) {
  return __atomic_load_n(&__fr_active, __ATOMIC_RELAXED) ? FR_GUARD_ON : 0;
}

FR_API void __fr_register_module(const struct fr_site_desc *sites,
                                 uint32_t count, uint32_t *base_out,
                                 uint8_t *guards) {
  fr_env_init();
  if (!fr_process_is_recorder()) {
    fr_process_refuse_module(guards); // its guards stay 0: no hook is called
    return;
  }
  pthread_mutex_lock(&fr_registry_lock);
  if (*base_out != FR_UNREGISTERED_SITE_BASE ||
      fr_next_site_id + count >= FR_UNREGISTERED_SITE_BASE) {
    // Registered already (a constructor run twice), or out of ids.
    pthread_mutex_unlock(&fr_registry_lock);
    return;
  }
  struct fr_module *m = fr_arena_alloc(sizeof(*m));
  struct fr_site_record *records =
      fr_arena_alloc(count * sizeof(struct fr_site_record));
  const char **functions = fr_arena_alloc(count * sizeof(char *));
  const char **files = fr_arena_alloc(count * sizeof(char *));
  const char **callees = fr_arena_alloc(count * sizeof(char *));
  if (!m || !records || !functions || !files || !callees) {
    pthread_mutex_unlock(&fr_registry_lock);
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
      pthread_mutex_unlock(&fr_registry_lock);
      return;
    }
  }
  for (uint32_t i = 0; i < count; i++)
    if (records[i].kind == FR_SITE_FUNCTION)
      fr_watch_consider(base + i, functions[i]);
  m->base = base;
  m->count = count;
  m->guards = guards;
  if (guards) {
    uint8_t on = fr_guard_on();
    for (uint32_t i = 0; i < count; i++)
      __atomic_store_n(&guards[i], on, __ATOMIC_RELAXED);
  }
  m->records = records;
  m->functions = functions;
  m->files = files;
  m->callees = callees;
  m->next = fr_modules;
  fr_next_site_id += count;
  __atomic_store_n(&fr_modules, m, __ATOMIC_RELEASE);
  __atomic_store_n(base_out, base, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&fr_registry_lock);
}

// This copy's own definition, for fr_process.c to tell it from the one the
// dynamic linker resolves the exported name to.
extern __typeof__(__fr_register_module) fr_register_module_here
    __attribute__((alias("__fr_register_module"), visibility("hidden")));

// The module's destructor: its guards are about to be unmapped (dlclose) or
// are past use (exit). Its sites stay readable.
FR_API void __fr_unregister_module(uint8_t *guards) {
  pthread_mutex_lock(&fr_registry_lock);
  for (struct fr_module *m = fr_modules; m; m = m->next) {
    if (m->guards != guards)
      continue;
    m->guards = NULL;
    for (uint32_t i = 0; i < m->count; i++) // its counted sites' slots
      if (m->records[i].flags & FR_SITE_COUNTED)
        fr_counted_remove(m->base + i);
  }
  pthread_mutex_unlock(&fr_registry_lock);
}

void fr_sites_arm(int on) {
  pthread_mutex_lock(&fr_registry_lock);
  for (struct fr_module *m = fr_modules; m; m = m->next) {
    if (!m->guards)
      continue;
    for (uint32_t i = 0; i < m->count; i++) {
      if (on)
        m->records[i].flags &= (uint16_t)~(FR_SITE_MUTED | FR_SITE_COUNTED);
      __atomic_store_n(&m->guards[i], on ? FR_GUARD_ON : 0, __ATOMIC_RELAXED);
    }
  }
  fr_counted_clear(); // nothing counted while stopped; recorded at a start
  pthread_mutex_unlock(&fr_registry_lock);
}

int fr_sites_try_lock(void) {
  return pthread_mutex_trylock(&fr_registry_lock) == 0;
}

void fr_sites_lock(void) { pthread_mutex_lock(&fr_registry_lock); }

void fr_sites_unlock(void) { pthread_mutex_unlock(&fr_registry_lock); }

enum fr_mute_result fr_sites_mute(uint32_t site, enum fr_mute_how how) {
  for (struct fr_module *m = fr_modules; m; m = m->next) {
    if (site < m->base || site - m->base >= m->count)
      continue;
    struct fr_site_record *r = &m->records[site - m->base];
    if (!m->guards || !__atomic_load_n(&__fr_active, __ATOMIC_RELAXED) ||
        fr_is_watched(site))
      return FR_MUTE_REFUSED;
    if ((r->flags & FR_SITE_COUNTED) && how == FR_MUTE_OUTRIGHT) {
      // Counted, and now too hot for it: muted outright. The guard goes
      // first, so that a hook past it still finds its slot, counts the
      // call, and records nothing (a hook that finds neither records an
      // event, as one does that passed the guard just before any mute).
      __atomic_store_n(&m->guards[site - m->base], 0, __ATOMIC_RELAXED);
      r->flags &= (uint16_t)~FR_SITE_COUNTED;
      fr_counted_remove(site);
      return FR_MUTE_MUTED;
    }
    if (r->flags & FR_SITE_MUTED)
      return r->flags & FR_SITE_COUNTED ? FR_MUTE_STILL_COUNTED
                                        : FR_MUTE_ALREADY;
    r->flags |= FR_SITE_MUTED;
    if (r->kind == FR_SITE_FUNCTION && how == FR_MUTE_COUNT &&
        fr_counted_add(site)) {
      // Its hooks still run (the guard stays set) and detour to the count.
      r->flags |= FR_SITE_COUNTED;
      return FR_MUTE_COUNTED;
    }
    int off = r->kind == FR_SITE_FUNCTION ||
              (r->kind == FR_SITE_LOCK && (r->detail & FR_LOCK_MUTED_OFF));
    __atomic_store_n(&m->guards[site - m->base], off ? 0 : FR_GUARD_SLOW,
                     __ATOMIC_RELAXED);
    return FR_MUTE_MUTED;
  }
  return FR_MUTE_REFUSED; // not a site of a registered module (a user annotation's)
}

int fr_sites_rearm(uint32_t site) {
  for (struct fr_module *m = fr_modules; m; m = m->next) {
    if (site < m->base || site - m->base >= m->count)
      continue;
    struct fr_site_record *r = &m->records[site - m->base];
    if (!m->guards || !(r->flags & FR_SITE_MUTED) ||
        !__atomic_load_n(&__fr_active, __ATOMIC_RELAXED))
      return 0;
    if (r->flags & FR_SITE_COUNTED)
      fr_counted_remove(site);
    r->flags &= (uint16_t)~(FR_SITE_MUTED | FR_SITE_COUNTED);
    __atomic_store_n(&m->guards[site - m->base], FR_GUARD_ON, __ATOMIC_RELAXED);
    return 1;
  }
  return 0;
}

void fr_sites_fork(int after) {
  if (after)
    pthread_mutex_unlock(&fr_registry_lock);
  else
    pthread_mutex_lock(&fr_registry_lock);
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
