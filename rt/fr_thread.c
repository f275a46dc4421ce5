// SPDX-License-Identifier: Apache-2.0
// fr_thread.c: per-thread writer state, the hot path's slow path, thread
// registration and thread exit.
//
// A thread registers itself the first time it records while the recorder runs
// (so threads that never record cost nothing), then takes a chunk whenever its
// current one fills. At exit, a pthread key destructor writes a thread-exit
// event and seals its chunk, so its last events stay in the window until they
// are recycled.
//
// When the pool has no chunk for it, a thread goes without: it drops its
// events, counts them per cause, and backs off (fr_backing_off, inlined in
// the hooks: a counter per event, a clock read every 16th, the lock only
// when the back-off ends). Meanwhile the pool is under pressure, and a
// thread about to block gives its chunk back (fr_thread_park), noting what
// it blocks in for snapshots; a thread that blocks while it has no chunk
// notes it too (fr_thread_note_blocked).
//
// Concurrency: fr_thread_slow_reserve runs on the owning thread with
// fr_tls.busy set (so a signal handler's hooks on this thread drop their
// events instead of re-entering) and takes fr_state.lock to change chunks or
// the thread list. Other threads touch this thread's fr_tls only under that
// lock: a snapshot reads chunk, pos and (relaxed) the drop counters, fr_start
// sets limit to NULL to send every thread through here once. A thread's
// parked record is written by the thread without the lock as a seqlock
// (fr_parked_set), and read by snapshots under it. Thread records come from
// mmap'd slabs, never malloc: hooks run inside instrumented allocators.
#include "fr_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread struct fr_tls fr_tls __attribute__((tls_model("initial-exec")));

static pthread_once_t fr_thread_once = PTHREAD_ONCE_INIT;

static void fr_thread_exit(void *arg);

static void fr_thread_init(void) {
  pthread_key_create(&fr_state.exit_key, fr_thread_exit);
}

void fr_thread_init_once(void) { pthread_once(&fr_thread_once, fr_thread_init); }

static struct fr_thread *fr_thread_alloc(void) {
  if (!fr_state.free_threads) {
    const size_t slab = 16384;
    struct fr_thread *t = fr_map(slab);
    if (!t)
      return NULL;
    for (size_t i = 0; i < slab / sizeof(*t); i++) {
      t[i].next = fr_state.free_threads;
      fr_state.free_threads = &t[i];
    }
  }
  struct fr_thread *t = fr_state.free_threads;
  fr_state.free_threads = t->next;
  memset(t, 0, sizeof(*t));
  return t;
}

static void fr_thread_unlink(struct fr_thread *th) {
  for (struct fr_thread **p = &fr_state.live; *p; p = &(*p)->next) {
    if (*p == th) {
      *p = th->next;
      fr_state.live_count--;
      break;
    }
  }
  th->next = fr_state.free_threads;
  fr_state.free_threads = th;
}

// A snapshot lists every live thread that has no chunk in it: the lists
// grow with the thread count, doubling. The old ones stay mapped (a snapshot
// in flight may still read them) but their pages go back to the kernel when
// no snapshot is between its listing and its end.
static int fr_bare_lists_fit(uint32_t threads) {
  if (threads <= fr_state.bare_capacity)
    return 1;
  uint32_t capacity = fr_state.bare_capacity ? fr_state.bare_capacity * 2 : 256;
  uint64_t bytes = (uint64_t)capacity * sizeof(struct fr_bare_entry);
  struct fr_bare_entry *bare = fr_map(bytes), *crash_bare = fr_map(bytes);
  if (!bare || !crash_bare)
    return 0;
  if (fr_state.bare && !__atomic_load_n(&fr_state.bare_readers, __ATOMIC_ACQUIRE)) {
    uint64_t old = (uint64_t)fr_state.bare_capacity * sizeof(struct fr_bare_entry);
    madvise(fr_state.bare, old, MADV_DONTNEED);
    madvise(fr_state.crash_bare, old, MADV_DONTNEED);
  }
  fr_state.bare = bare;
  fr_state.crash_bare = crash_bare;
  __atomic_store_n(&fr_state.bare_capacity, capacity, __ATOMIC_RELEASE);
  return 1;
}

void fr_read_thread_name(uint32_t tid, char name[16]) {
  // /proc/PID/task/TID/comm: async-signal-safe and works for any thread of
  // ours, unlike prctl(PR_GET_NAME) which reads only the caller's (PID: the
  // program's, also from a forked snapshot writer).
  char path[80] = "/proc/";
  size_t len = strlen(path);
  len += fr_decimal((uint64_t)fr_program_pid(), 1, path + len);
  memcpy(path + len, "/task/", 6);
  len += 6;
  len += fr_decimal(tid, 1, path + len);
  memcpy(path + len, "/comm", 6);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  char buf[16];
  ssize_t got = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (got <= 0)
    return;
  if (buf[got - 1] == '\n')
    got--;
  buf[got] = 0;
  memcpy(name, buf, (size_t)got + 1);
}

void fr_thread_after_fork_child(void) {
  struct fr_thread *self = fr_tls.thread;
  struct fr_thread *th = fr_state.live;
  while (th) { // the other threads do not exist here
    struct fr_thread *next = th->next;
    if (th != self) {
      th->tls = NULL;
      th->next = fr_state.free_threads;
      fr_state.free_threads = th;
    }
    th = next;
  }
  fr_state.live = NULL;
  fr_state.live_count = 0;
  if (self) {
    self->next = NULL;
    self->tid = (uint32_t)syscall(SYS_gettid);
    self->parked.valid = 0;
    fr_state.live = self;
    fr_state.live_count = 1;
  }
}

_Static_assert(sizeof(struct fr_thread) + 4 * sizeof(struct fr_bare_entry) <=
                   FR_THREAD_STATE_BYTES,
               "the documented per-thread state");

static struct fr_thread *fr_thread_register(struct fr_tls *t) {
  if (!fr_bare_lists_fit(fr_state.live_count + 1))
    return NULL;
  struct fr_thread *th = fr_thread_alloc();
  if (!th)
    return NULL;
  th->tls = t;
  th->index = ++fr_state.next_thread_index;
  th->tid = (uint32_t)syscall(SYS_gettid);
  prctl(PR_GET_NAME, th->name);
  th->next = fr_state.live;
  fr_state.live = th;
  fr_state.live_count++;
  t->thread = th;
  t->state = FR_TLS_LIVE;
  if (__atomic_load_n(&fr_state.crash_stacks, __ATOMIC_RELAXED))
    th->altstack = fr_altstack_attach(); // so a stack overflow is dumped
  pthread_setspecific(fr_state.exit_key, th);
  return th;
}

// Closes the thread's current chunk: its length and last time go into the
// header and it joins the sealed ring.
static void fr_thread_seal(struct fr_tls *t, struct fr_pool *pool) {
  struct fr_chunk *c = t->chunk;
  c->hdr.event_bytes = (uint32_t)(t->pos - c->data);
  c->hdr.last_ticks = t->last_ticks;
  fr_pool_seal(pool, c);
  t->chunk = NULL;
}

static void fr_refresh_min_age(void) {
  // min_age and the budget are in ns, chunks are in ticks. The budget needs
  // the tick rate roughly and at once (a program's first 50 ms at full cost
  // would be its overhead): 1 ms gives it to a part in a thousand or better.
  // min_age waits until the rate is measured well (50 ms); until then
  // nothing ages out. clock_gettime is a vDSO call here, not a system call.
  const fr_config *cfg = fr_active_config();
  if (!cfg)
    return;
  struct fr_clock_anchor a;
  fr_clock_anchor_now(&a);
  uint64_t span_ns = a.monotonic_ns - fr_start_anchor.monotonic_ns;
  if (span_ns < 1000 * 1000)
    return;
  double hz = (double)(a.ticks - fr_start_anchor.ticks) * 1e9 / (double)span_ns;
  fr_budget_calibrate(hz);
  if (span_ns >= 50 * 1000 * 1000)
    fr_state.min_age_ticks = (uint64_t)((double)cfg->min_age_ns * hz / 1e9);
}

static uint8_t *fr_thread_reserve(struct fr_tls *t, uint32_t tag);

// Appends the events of the sites a budget check muted (FR_EXT_MUTED, and
// FR_EXT_COUNTED with no calls for one it counts) or re-armed
// (FR_EXT_REARMED; sized kinds have a one-byte size, their payload is at
// most 15 bytes).
static uint8_t *fr_put_budget_notes(uint8_t *p,
                                    const struct fr_budget_note *notes,
                                    uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    p = fr_put_event(p, fr_event_tag(notes[i].kind, FR_EV_EXT), 0);
    if (fr_ext_is_sized(notes[i].kind)) {
      p = fr_put_sized_pair(p, notes[i].site, notes[i].value);
    } else { // FR_EXT_MUTED: the fields alone
      p = fr_put_varint(p, notes[i].site);
      p = fr_put_varint(p, notes[i].value);
    }
  }
  return p;
}

// Room the budget's look at a chunk leaves for its notes (mutes and
// re-arms): a probe is never set closer than this to the chunk's end.
#define FR_PROBE_ROOM (FR_BUDGET_MAX_NOTES * 24)

// Where the hot path next stops for the budget: a quarter chunk on, so a
// site that starts to run hot is muted after a quarter chunk of its events
// rather than a whole one. The end of the chunk when there is no budget.
static uint8_t *fr_next_limit(const struct fr_tls *t) {
  uint8_t *probe = t->pos + (t->chunk_end - t->chunk->data) / 4;
  if (!fr_budget_is_set() || probe + FR_PROBE_ROOM >= t->chunk_end)
    return t->chunk_end;
  return probe;
}

void fr_thread_probe_soon(struct fr_tls *t) {
  uint8_t *limit = __atomic_load_n(&t->limit, __ATOMIC_RELAXED);
  if (limit && limit > t->pos && fr_budget_is_set())
    __atomic_compare_exchange_n(&t->limit, &limit, t->pos, 0, __ATOMIC_RELAXED,
                                __ATOMIC_RELAXED);
}

// The owner's writes of its parked record, as a seqlock against snapshots.
static void fr_parked_set(struct fr_parked *pk, uint32_t site,
                          enum fr_site_event kind, unsigned nfields,
                          uint64_t a, uint64_t b, uint64_t ticks,
                          struct fr_chunk *chunk) {
  __atomic_store_n(&pk->seq, pk->seq + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  pk->site = site;
  pk->kind = kind;
  pk->nfields = nfields;
  pk->a = a;
  pk->b = b;
  pk->ticks = ticks;
  pk->chunk = chunk;
  pk->gen = chunk ? __atomic_load_n(&chunk->gen, __ATOMIC_RELAXED) : 0;
  pk->valid = 1;
  __atomic_store_n(&pk->seq, pk->seq + 1, __ATOMIC_RELEASE);
}

static void fr_parked_clear(struct fr_parked *pk) {
  if (!pk->valid)
    return;
  __atomic_store_n(&pk->seq, pk->seq + 1, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  pk->valid = 0;
  __atomic_store_n(&pk->seq, pk->seq + 1, __ATOMIC_RELEASE);
}

// Appends the thread's dropped-event counts, if any, and clears them.
static uint8_t *fr_put_dropped(struct fr_tls *t, struct fr_chunk *c,
                               uint8_t *p) {
  uint64_t reentrant = t->lost_reentrant, no_space = t->lost_no_space;
  if (!reentrant && !no_space)
    return p;
  c->hdr.lost_before = reentrant + no_space;
  p = fr_put_event(p, fr_event_tag(FR_EXT_DROPPED, FR_EV_EXT), 0);
  p = fr_put_varint(p, reentrant);
  p = fr_put_varint(p, no_space);
  __atomic_store_n(&t->lost_reentrant, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&t->lost_no_space, 0, __ATOMIC_RELAXED);
  return p;
}

FR_HOOK_CC void fr_thread_unpark(struct fr_tls *t) {
  fr_parked_clear(&t->thread->parked);
}

static void fr_count_no_space(struct fr_tls *t) {
  __atomic_store_n(&t->lost_no_space, t->lost_no_space + 1, __ATOMIC_RELAXED);
}

// No chunk for this thread: it drops its events until retry_ticks, the wait
// doubling each time. The pool is under pressure until enough is free.
static void fr_thread_go_without(struct fr_tls *t, uint64_t now) {
  t->chunk = NULL;
  __atomic_store_n(&t->limit, NULL, __ATOMIC_RELAXED);
  uint64_t wait = t->backoff_ticks ? t->backoff_ticks * 2 : FR_BACKOFF_MIN_TICKS;
  if (wait > FR_BACKOFF_MAX_TICKS)
    wait = FR_BACKOFF_MAX_TICKS;
  t->backoff_ticks = wait;
  t->retry_ticks = now + wait;
  __atomic_store_n(&fr_state.pressure, 1, __ATOMIC_RELAXED);
  fr_count_no_space(t);
}

// Is tag the entry of a function these notes mute?
static int fr_enters_muted(uint32_t tag, const struct fr_budget_note *notes,
                           uint32_t n) {
  if ((tag & 3) != FR_EV_ENTER)
    return 0;
  for (uint32_t i = 0; i < n; i++)
    if (notes[i].kind == FR_EXT_MUTED && notes[i].site == tag >> 2)
      return 1;
  return 0;
}

static uint8_t *fr_thread_reserve(struct fr_tls *t, uint32_t tag) {
  if (!__atomic_load_n(&__fr_active, __ATOMIC_RELAXED))
    return NULL;
  // A counter that jumped back would stop this thread's clock (its events
  // are kept at its last time) until it caught up: seconds, after a VM's.
  fr_clock_check(t->last_ticks);
  if (t->state == FR_TLS_EXITED) { // a destructor after ours: nowhere to go
    __atomic_fetch_add(&fr_state.lost_unreported, 1, __ATOMIC_RELAXED);
    return NULL;
  }
  struct fr_budget_note notes[FR_BUDGET_MAX_NOTES];
  uint32_t nnotes = 0;
  uint8_t *limit = __atomic_load_n(&t->limit, __ATOMIC_RELAXED);
  if (t->chunk && t->chunk->epoch == fr_state.epoch) {
    // Is the thread over its overhead budget? Read back before the lock is
    // taken (other threads may need it).
    nnotes = fr_budget_check(t, notes);
    if (limit && t->pos + FR_PROBE_ROOM < t->chunk_end) {
      // A probe, not a full chunk: the thread goes on in it, without the
      // lock. A kick (limit set to NULL meanwhile) wins over the new probe.
      uint8_t *p = fr_put_budget_notes(t->pos, notes, nnotes);
      p = fr_counted_put_pending(t, p);
      __atomic_store_n(&t->pos, p, __ATOMIC_RELEASE);
      uint8_t *next = fr_next_limit(t);
      if (__atomic_compare_exchange_n(&t->limit, &limit, next, 0,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        return fr_enters_muted(tag, notes, nnotes) ? NULL : p;
      nnotes = 0; // written already
    }
  }
  uint64_t now = fr_ticks();
  sigset_t held_signals;
  fr_state_lock(&held_signals);
  struct fr_pool *pool = fr_state.pool;
  if (!pool || !__atomic_load_n(&__fr_active, __ATOMIC_RELAXED)) {
    fr_state_unlock(&held_signals);
    return NULL;
  }
  if (t->state == FR_TLS_NEW && !fr_thread_register(t)) {
    fr_state_unlock(&held_signals);
    fr_count_no_space(t);
    return NULL;
  }
  if (fr_state.min_age_ticks == UINT64_MAX)
    fr_refresh_min_age();

  struct fr_thread *th = t->thread;
  fr_parked_clear(&th->parked); // whatever it blocked in, it is back
  struct fr_chunk *c = t->chunk;
  if (c && c->pool == pool && c->epoch == fr_state.epoch) {
    fr_thread_seal(t, pool);
    c = fr_pool_take(pool, now);
  } else if (c && c->pool == pool) {
    // Held across a restart: reuse it in place for the new window.
    __atomic_store_n(&c->gen, c->gen + 2, __ATOMIC_RELEASE);
    memset(&c->hdr, 0, sizeof(c->hdr));
  } else {
    // No chunk (new, parked, without space), or one from a pool that a new
    // configuration retired.
    c = fr_pool_take(pool, now);
  }
  if (!c) {
    fr_thread_go_without(t, now);
    fr_pool_check(pool);
    fr_state_unlock(&held_signals);
    return NULL;
  }
  t->backoff_ticks = 0;
  t->retry_ticks = 0;
  if (fr_state.pressure && fr_pool_available(pool) > pool->base_chunks / 4)
    __atomic_store_n(&fr_state.pressure, 0, __ATOMIC_RELAXED);
  int first_in_epoch = th->epoch != fr_state.epoch;
  th->epoch = fr_state.epoch;
  c->epoch = fr_state.epoch;
  c->hdr.thread_index = th->index;
  c->hdr.tid = th->tid;
  c->hdr.seq = th->chunks_written++;
  c->hdr.base_ticks = now;
  c->hdr.last_ticks = now;
  memcpy(c->hdr.thread_name, th->name, sizeof(th->name));
  t->chunk = c;
  uint8_t *p = c->data;
  __atomic_store_n(&t->last_ticks, now, __ATOMIC_RELAXED);
  t->last_object = 0; // object fields are deltas within a chunk
  t->budget_charged = 0;
  if (first_in_epoch) {
    p = fr_put_event(p, fr_event_tag(FR_EXT_THREAD_START, FR_EV_EXT), 0);
    fr_counted_forget(t); // calls made before this window began
  }
  p = fr_put_dropped(t, c, p);
  if (!first_in_epoch)
    p = fr_put_budget_notes(p, notes, nnotes);
  p = fr_counted_put_pending(t, p);
  __atomic_store_n(&t->pos, p, __ATOMIC_RELEASE);
  // Room for two whole events past the end: the one the hot path writes
  // after passing the check, and the thread-exit event (with the counts
  // of what it dropped before it).
  t->chunk_end = (uint8_t *)c + pool->chunk_size - 3 * FR_MAX_EVENT_BYTES;
  __atomic_store_n(&t->limit, fr_next_limit(t), __ATOMIC_RELAXED);
  fr_pool_check(pool);
  fr_state_unlock(&held_signals);
  return fr_enters_muted(tag, notes, nnotes) ? NULL : p;
}

void fr_thread_note_blocked(struct fr_tls *t, uint32_t site,
                            enum fr_site_event kind, unsigned nfields,
                            uint64_t a, uint64_t b) {
  if (t->state == FR_TLS_LIVE && t->thread && !t->chunk && t->retry_ticks)
    fr_parked_set(&t->thread->parked, site, kind, nfields, a, b, fr_ticks(),
                  NULL);
}

// Hooks run between a failing call and the program's look at errno (an exit
// hook after read() returned -1, a blocking call's end hook), and this path
// may open /proc files: errno is the program's, so it leaves here unchanged.
uint8_t *fr_thread_slow_reserve(struct fr_tls *t, uint32_t tag) {
  if (fr_backing_off(t))
    return NULL;
  int saved_errno = errno;
  uint8_t *p = fr_thread_reserve(t, tag);
  errno = saved_errno;
  return p;
}

void fr_thread_park(struct fr_tls *t, uint32_t site, enum fr_site_event kind,
                    unsigned nfields, uint64_t a, uint64_t b, uint64_t ticks) {
  int saved_errno = errno;
  sigset_t held_signals;
  fr_state_lock(&held_signals);
  struct fr_pool *pool = fr_state.pool;
  struct fr_chunk *c = t->chunk;
  if (fr_state.pressure && pool && c && c->pool == pool &&
      c->epoch == fr_state.epoch && t->thread) {
    fr_parked_set(&t->thread->parked, site, kind, nfields, a, b, ticks, c);
    fr_thread_seal(t, pool);
    __atomic_store_n(&t->limit, NULL, __ATOMIC_RELAXED);
    t->retry_ticks = 0;
    t->backoff_ticks = 0;
    fr_pool_check(pool);
  }
  fr_state_unlock(&held_signals);
  errno = saved_errno;
}

void fr_thread_kick_all(void) {
  for (struct fr_thread *th = fr_state.live; th; th = th->next)
    __atomic_store_n(&th->tls->limit, NULL, __ATOMIC_RELAXED);
}

static void fr_thread_exit(void *arg) {
  struct fr_thread *th = arg;
  struct fr_tls *t = &fr_tls;
  t->busy = fr_busy_mark();
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  char name[16] = {0};
  prctl(PR_GET_NAME, name);
  // The budget's last look, which also budgets threads too short-lived to
  // have had one.
  struct fr_budget_note notes[FR_BUDGET_EXIT_NOTES];
  uint32_t nnotes = 0;
  if (t->chunk && t->chunk->epoch == fr_state.epoch)
    nnotes = fr_budget_thread_exit(t, notes);
  sigset_t held_signals;
  fr_state_lock(&held_signals);
  memcpy(th->name, name, sizeof(name));
  struct fr_pool *pool = fr_state.pool;
  struct fr_chunk *c = t->chunk;
  if (c && c->pool == pool && c->epoch == fr_state.epoch) {
    // The chunk keeps room for them past chunk_end (two whole events).
    uint8_t *p = fr_put_budget_notes(t->pos, notes, nnotes);
    // Its pending counts too, if they fit beside the drop report and the
    // exit event (else they are lost: fewer than FR_COUNT_FLUSH_CALLS a site).
    uint8_t *end = (uint8_t *)c + pool->chunk_size;
    if (end - p >= FR_COUNTED_PENDING_BYTES + 2 * FR_MAX_EVENT_BYTES)
      p = fr_counted_put_pending(t, p);
    p = fr_put_dropped(t, c, p);
    fr_stamp_event(t, p, fr_event_tag(FR_EXT_THREAD_EXIT, FR_EV_EXT));
    memcpy(c->hdr.thread_name, name, sizeof(name));
    fr_thread_seal(t, pool);
  } else if (c && c->pool == pool) {
    fr_pool_free(pool, c); // held across a restart, never written since
  }
  // Dropped events no chunk of this thread will report.
  __atomic_fetch_add(&fr_state.lost_unreported,
                     t->lost_reentrant + t->lost_no_space, __ATOMIC_RELAXED);
  t->lost_reentrant = t->lost_no_space = 0;
  t->chunk = NULL;
  __atomic_store_n(&t->limit, NULL, __ATOMIC_RELAXED);
  t->pos = NULL;
  t->state = FR_TLS_EXITED;
  t->thread = NULL;
  fr_altstack_detach(th->altstack);
  th->altstack = NULL;
  fr_thread_unlink(th);
  if (pool)
    fr_pool_check(pool);
  fr_state_unlock(&held_signals);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  t->busy = 0;
}
