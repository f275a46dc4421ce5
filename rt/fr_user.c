// SPDX-License-Identifier: Apache-2.0
// fr_user.c: user annotations (fr.h): tasks, regions and logs.
//
// A name is a site: the first time a name (by address) is used it is
// registered like one of the plugin's sites, of kind FR_SITE_USER, so
// snapshots carry it once and events carry its id. Lookups after that are
// lock-free: a fixed open-addressing table of (address, kind) -> id, whose
// entries are published with release ordering. A full table (4096 names)
// records further names as "(too many names)".
//
// Concurrency: registration takes fr_user_lock (never on the recording path
// once a name is known); events are written by fr_site_hooks.c's
// fr_record_site_event, under the thread's busy flag.
#include "fr_internal.h"

#include <string.h>

#define FR_USER_NAMES 4096

struct fr_user_name {
  const char *address; // NULL: free
  uint32_t kind;
  uint32_t id;
};

static struct fr_user_name fr_user_names[FR_USER_NAMES];
static pthread_mutex_t fr_user_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t fr_next_task = 1;

void __fr_register_module(const struct fr_site_desc *sites, uint32_t count,
                          uint32_t *base_out, uint8_t *guards);

static uint32_t fr_user_register(const char *name, uint32_t kind) {
  struct fr_site_desc desc = {FR_SITE_USER, (uint16_t)kind, 0, name, "", NULL};
  uint32_t id = FR_UNREGISTERED_SITE_BASE;
  __fr_register_module(&desc, 1, &id, NULL); // no guards: never muted
  return id;
}

static uint32_t fr_user_id(const char *name, uint32_t kind) {
  if (!name)
    name = "(null)";
  uintptr_t h = ((uintptr_t)name >> 3) * 0x9e3779b97f4a7c15ull + kind;
  uint32_t slot = (uint32_t)(h >> 20) % FR_USER_NAMES;
  for (uint32_t probe = 0; probe < FR_USER_NAMES; probe++) {
    struct fr_user_name *e = &fr_user_names[(slot + probe) % FR_USER_NAMES];
    const char *a = __atomic_load_n(&e->address, __ATOMIC_ACQUIRE);
    if (a == name && e->kind == kind)
      return e->id;
    if (a)
      continue;
    // Free: register under the lock, re-checking that nobody did meanwhile.
    pthread_mutex_lock(&fr_user_lock);
    if (!e->address) {
      e->kind = kind;
      e->id = fr_user_register(name, kind);
      __atomic_store_n(&e->address, name, __ATOMIC_RELEASE);
      pthread_mutex_unlock(&fr_user_lock);
      return e->id;
    }
    pthread_mutex_unlock(&fr_user_lock);
    probe--; // look at this slot again: it was just taken
  }
  static const char *const overflow = "(too many names)";
  return name == overflow ? FR_UNREGISTERED_SITE_BASE
                          : fr_user_id(overflow, kind);
}

void fr_user_fork(int after) {
  if (after)
    pthread_mutex_unlock(&fr_user_lock);
  else
    pthread_mutex_lock(&fr_user_lock);
}

// One user event: the task id, and for a log the text's length, then the
// text.
static void fr_user_event(uint32_t site, enum fr_site_event kind,
                          uint64_t field, const char *text, size_t len) {
  if (kind == FR_SEV_LOG)
    fr_record_site_event(site, kind, 2, field, len, text, len);
  else
    fr_record_site_event(site, kind, 1, field, 0, NULL, 0);
}

FR_API uint64_t fr_task_begin(const char *name) {
  if (!__atomic_load_n(&__fr_active, __ATOMIC_RELAXED))
    return 0;
  uint64_t task = __atomic_fetch_add(&fr_next_task, 1, __ATOMIC_RELAXED);
  fr_user_event(fr_user_id(name, FR_USER_TASK), FR_SEV_TASK_BEGIN, task, NULL,
                0);
  return task;
}

FR_API void fr_task_end(uint64_t task) {
  if (task && __atomic_load_n(&__fr_active, __ATOMIC_RELAXED))
    fr_user_event(fr_user_id("end", FR_USER_TASK), FR_SEV_TASK_END, task, NULL,
                  0);
}

FR_API void fr_region_begin(uint64_t task, const char *name) {
  if (__atomic_load_n(&__fr_active, __ATOMIC_RELAXED))
    fr_user_event(fr_user_id(name, FR_USER_REGION), FR_SEV_REGION_BEGIN, task,
                  NULL, 0);
}

FR_API void fr_region_end(uint64_t task, const char *name) {
  if (__atomic_load_n(&__fr_active, __ATOMIC_RELAXED))
    fr_user_event(fr_user_id(name, FR_USER_REGION), FR_SEV_REGION_END, task,
                  NULL, 0);
}

FR_API void fr_log(uint64_t task, const char *category, const char *message) {
  if (!__atomic_load_n(&__fr_active, __ATOMIC_RELAXED))
    return;
  size_t len = message ? strnlen(message, FR_LOG_MAX_BYTES) : 0;
  fr_user_event(fr_user_id(category, FR_USER_LOG), FR_SEV_LOG, task, message,
                len);
}
