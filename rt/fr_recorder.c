// SPDX-License-Identifier: Apache-2.0
// fr_recorder.c: the public API (fr.h): new, start, stop, enabled, write_to.
//
// Semantics follow Go's runtime/trace.FlightRecorder: one running recorder per
// process; start fails while one runs; a write_to while another is in flight
// fails at once with FR_ERR_BUSY instead of queueing; stop waits for an
// in-flight write_to to finish. The window itself is the chunk pool, created
// at the first start and kept across stop/start while max_bytes is unchanged.
//
// Concurrency: fr_api_lock serialises start/stop and guards fr_running and
// each recorder's writing flag; it is never held while a snapshot is written,
// only around the flag changes, and the hot path never takes it.
#include "fr_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

struct fr_recorder {
  fr_config config;
  int writing; // a write_to is in flight
  int in_static_storage; // the FR_OPTIONS recorder: fr_free only stops it
};

struct fr_state fr_state = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .min_age_ticks = UINT64_MAX,
};
struct fr_clock_anchor fr_start_anchor;

static pthread_mutex_t fr_api_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fr_write_done = PTHREAD_COND_INITIALIZER;
static fr_recorder *fr_running;

static void fr_recorder_init(fr_recorder *r, const fr_config *config) {
  if (config)
    r->config = *config;
  if (!r->config.min_age_ns)
    r->config.min_age_ns = FR_DEFAULT_MIN_AGE_NS;
  if (!r->config.max_bytes)
    r->config.max_bytes = FR_DEFAULT_MAX_BYTES;
  if (r->config.max_bytes < FR_MIN_MAX_BYTES)
    r->config.max_bytes = FR_MIN_MAX_BYTES;
  if (r->config.min_age_ns > FR_MAX_MIN_AGE_NS)
    r->config.min_age_ns = FR_MAX_MIN_AGE_NS; // its tick count must fit
  if (r->config.budget_percent == 0)
    r->config.budget_percent = FR_DEFAULT_BUDGET_PERCENT;
}

FR_API fr_recorder *fr_new(const fr_config *config) {
  fr_recorder *r = calloc(1, sizeof(*r));
  if (r)
    fr_recorder_init(r, config);
  return r;
}

fr_recorder *fr_recorder_static(const fr_config *config) {
  static fr_recorder env_recorder;
  fr_recorder_init(&env_recorder, config);
  env_recorder.in_static_storage = 1;
  return &env_recorder;
}

FR_API void fr_free(fr_recorder *r) {
  if (!r)
    return;
  fr_stop(r);
  if (!r->in_static_storage)
    free(r);
}

const fr_config *fr_active_config(void) {
  fr_recorder *r = __atomic_load_n(&fr_running, __ATOMIC_ACQUIRE);
  return r ? &r->config : NULL;
}

// fork(): the child has only the thread that forked. Every lock is taken
// around the fork so the child finds them consistent (a fork during a
// snapshot waits for its listing, never for its copy), and the child's
// recorder starts over: a fresh window, from the fork on, that records and
// writes snapshots under the child's pid.
static struct fr_entry fr_fork_entry; // the forking thread's, between handlers

static void fr_fork_prepare(void) {
  struct fr_entry entry;
  fr_runtime_enter(&entry);
  pthread_mutex_lock(&fr_api_lock); // the order every other path takes them
  fr_fork_entry = entry;
  fr_user_fork(0);
  pthread_mutex_lock(&fr_state.lock);
  fr_sites_fork(0);
}

static void fr_fork_parent(void) {
  fr_sites_fork(1);
  pthread_mutex_unlock(&fr_state.lock);
  fr_user_fork(1);
  struct fr_entry entry = fr_fork_entry;
  pthread_mutex_unlock(&fr_api_lock);
  fr_runtime_leave(&entry);
}

static void fr_fork_child(void) {
  fr_sites_fork(1);
  fr_thread_after_fork_child();
  if (fr_running) {
    fr_running->writing = 0; // the parent's write, not ours
    if (fr_state.pool)
      fr_pool_reset(fr_state.pool); // the dead threads' chunks are free
    fr_state.epoch++;
    fr_state.min_age_ticks = UINT64_MAX;
    fr_state.lost_unreported = 0;
    fr_state.pressure = 0;
    fr_clock_anchor_now(&fr_start_anchor);
    fr_thread_kick_all();
  }
  fr_state.bare_readers = 0; // snapshots in flight were the parent's threads'
  fr_trigger_after_fork_child();
  fr_output_after_fork_child();
  fr_budget_after_fork_child();
  pthread_mutex_unlock(&fr_state.lock);
  fr_user_fork(1);
  struct fr_entry entry = fr_fork_entry;
  pthread_mutex_unlock(&fr_api_lock);
  fr_runtime_leave(&entry);
}

static pthread_once_t fr_fork_once = PTHREAD_ONCE_INIT;
static void fr_fork_register(void) {
  pthread_atfork(fr_fork_prepare, fr_fork_parent, fr_fork_child);
}

static int fr_start_locked(fr_recorder *r);

FR_API int fr_start(fr_recorder *r) {
  if (!r)
    return FR_ERR_INVALID;
  fr_thread_init_once();
  pthread_once(&fr_fork_once, fr_fork_register);
  struct fr_entry entry; // a handler's siglongjmp must not leave the API
  fr_runtime_enter(&entry); // or pool lock taken
  int result = fr_start_locked(r);
  fr_runtime_leave(&entry);
  return result;
}

static int fr_start_locked(fr_recorder *r) {
  pthread_mutex_lock(&fr_api_lock);
  if (fr_running) {
    pthread_mutex_unlock(&fr_api_lock);
    return FR_ERR_RUNNING;
  }
  if (r->config.max_bytes > FR_MAX_MAX_BYTES) {
    pthread_mutex_unlock(&fr_api_lock);
    return FR_ERR_INVALID; // more than the address space holds
  }
  pthread_mutex_lock(&fr_state.lock);
  struct fr_pool *pool = fr_state.pool;
  uint64_t have = pool ? (uint64_t)pool->base_chunks * pool->chunk_size : 0;
  if (pool && have <= r->config.max_bytes &&
      have + pool->chunk_size > r->config.max_bytes) {
    fr_pool_reset(pool);
  } else {
    struct fr_pool *fresh = fr_pool_create(r->config.max_bytes);
    if (!fresh) {
      pthread_mutex_unlock(&fr_state.lock);
      pthread_mutex_unlock(&fr_api_lock);
      return FR_ERR_NOMEM;
    }
    if (pool)
      fr_pool_retire(pool);
    fr_state.pool = fresh;
  }
  fr_state.epoch++;
  fr_state.min_age_ticks = UINT64_MAX;
  fr_state.lost_unreported = 0;
  fr_state.pressure = 0;
  fr_clock_anchor_now(&fr_start_anchor);
  fr_thread_kick_all();
  __atomic_store_n(&fr_running, r, __ATOMIC_RELEASE);
  fr_budget_start(&r->config, &fr_start_anchor);
  __atomic_store_n(&__fr_active, 1, __ATOMIC_RELEASE);
  fr_sites_arm(1);
  pthread_mutex_unlock(&fr_state.lock);
  pthread_mutex_unlock(&fr_api_lock);
  return FR_OK;
}

static int fr_stop_locked(fr_recorder *r);

FR_API int fr_stop(fr_recorder *r) {
  if (!r)
    return FR_ERR_INVALID;
  struct fr_entry entry;
  fr_runtime_enter(&entry);
  int result = fr_stop_locked(r);
  fr_runtime_leave(&entry);
  return result;
}

static int fr_stop_locked(fr_recorder *r) {
  pthread_mutex_lock(&fr_api_lock);
  if (fr_running != r) {
    pthread_mutex_unlock(&fr_api_lock);
    return FR_ERR_NOT_RUNNING;
  }
  while (r->writing)
    pthread_cond_wait(&fr_write_done, &fr_api_lock);
  __atomic_store_n(&__fr_active, 0, __ATOMIC_RELEASE);
  fr_sites_arm(0);
  __atomic_store_n(&fr_running, NULL, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&fr_api_lock);
  return FR_OK;
}

FR_API int fr_enabled(const fr_recorder *r) {
  return r && __atomic_load_n(&fr_running, __ATOMIC_ACQUIRE) == r;
}

FR_API int fr_write_to(fr_recorder *r, fr_write_fn write, void *ctx) {
  struct fr_trigger_info api = {.trigger = FR_TRIGGER_API};
  return fr_write_to_trigger(r, write, ctx, &api);
}

int fr_write_to_trigger(fr_recorder *r, fr_write_fn write, void *ctx,
                        const struct fr_trigger_info *info) {
  if (!r || !write)
    return FR_ERR_INVALID;
  pthread_mutex_lock(&fr_api_lock);
  if (fr_running != r) {
    pthread_mutex_unlock(&fr_api_lock);
    return FR_ERR_NOT_RUNNING;
  }
  if (r->writing) {
    pthread_mutex_unlock(&fr_api_lock);
    return FR_ERR_BUSY;
  }
  r->writing = 1;
  pthread_mutex_unlock(&fr_api_lock);

  int saved_errno = errno;
  fr_counted_flush_own(); // this thread's counts since its last report
  uintptr_t was = fr_busy_enter(); // the listing takes fr_state.lock
  int result = fr_snapshot_write(write, ctx, info, 0);
  fr_busy_leave(was);
  if (result == FR_OK)
    errno = saved_errno;

  pthread_mutex_lock(&fr_api_lock);
  r->writing = 0;
  pthread_cond_broadcast(&fr_write_done);
  pthread_mutex_unlock(&fr_api_lock);
  return result;
}

int fr_write_fd(void *ctx, const void *data, size_t len) {
  int fd = *(int *)ctx;
  const char *p = data;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

FR_API int fr_write_to_fd(fr_recorder *r, int fd) {
  struct fr_trigger_info api = {.trigger = FR_TRIGGER_API};
  return fr_write_to_trigger(r, fr_write_fd, &fd, &api);
}

int fr_write_crash(fr_write_fn write, void *ctx,
                   const struct fr_trigger_info *info) {
  if (!__atomic_load_n(&fr_running, __ATOMIC_ACQUIRE))
    return FR_ERR_NOT_RUNNING;
  return fr_snapshot_write(write, ctx, info, 1);
}

FR_API const char *fr_strerror(int err) {
  switch (err) {
  case FR_OK:
    return "success";
  case FR_ERR_RUNNING:
    return "a flight recorder is already running";
  case FR_ERR_NOT_RUNNING:
    return "the flight recorder is not running";
  case FR_ERR_BUSY:
    return "another snapshot is being written";
  case FR_ERR_IO:
    return "the snapshot could not be written";
  case FR_ERR_NOMEM:
    return "the window could not be allocated";
  case FR_ERR_INVALID:
    return "invalid argument";
  }
  return "unknown error";
}
