// SPDX-License-Identifier: Apache-2.0
// fr_site_hooks.c: the hooks the plugin puts around lock and blocking calls.
//
// A lock call such as pthread_mutex_lock(m) becomes, while recording,
// __fr_lock_acquire(site, m, pthread_mutex_trylock, pthread_mutex_lock, EBUSY):
// the try comes first, as mutrace does it, so a lock taken without waiting
// is one event with one timestamp, and only a lock that is busy costs a wait
// event, the blocking call and an acquired event. The try changes nothing the
// program can see: it takes the lock exactly when the blocking call would
// have taken it at once, and errno is put back before the blocking call.
// Blocking calls get a call event before and a return event after, with the
// argument that identifies what they wait on (a file descriptor, a pid) and
// their result and errno. Every hook leaves errno as it found it.
//
// Waits are recorded even at a site the overhead budget muted (its guard is
// FR_GUARD_SLOW): the caller takes such a lock through its try, inline, and
// calls __fr_lock_contended only when it is busy; a blocking call records
// itself only when it took longer than FR_SLOW_CALL_NS. Those are the events
// a flight recorder is for. An uncontended lock then costs its try, a fast
// blocking call two reads of the clock.
//
// Concurrency: as fr_hooks.c: only the calling thread's chunk is written,
// under its busy flag (a signal handler's hooks on the same thread drop their
// events), and the new position is published with release ordering.
#include "fr_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define fr_signal_fence() __atomic_signal_fence(__ATOMIC_SEQ_CST)

// Appends one FR_EV_SITE event with up to two payload fields and, for a
// log, len bytes of text after them. Returns its time in ticks, or 0 when
// it was not recorded. Inlined into each hook: the field count and kind are
// then constants, and an uncontended lock pays no call for its event.
static inline __attribute__((always_inline)) uint64_t
fr_site_event_text(uint32_t site, enum fr_site_event kind, unsigned nfields,
                   uint64_t a, uint64_t b, const char *text, size_t len,
                   uint64_t at) {
  struct fr_tls *t = &fr_tls;
  uint64_t now = 0;
  uint8_t *p;
  if (!fr_event_begin(t, &p))
    return 0;
  // Past the limit there is room for one FR_MAX_EVENT_BYTES event; text may
  // need more, and then takes a fresh chunk.
  if (len && p && (size_t)(t->chunk_end - p) < len + 8) {
    t->chunk_end = t->pos; // this chunk is full for it
    __atomic_store_n(&t->limit, t->pos, __ATOMIC_RELAXED);
    p = fr_thread_slow_reserve(t, 0);
  }
  if (FR_LIKELY(p != NULL)) {
    p = fr_put_stamped_at(t, p, fr_event_tag(site, FR_EV_SITE), at ? at : fr_ticks(),
                          &now);
    *p++ = fr_site_event_header(kind, nfields); // one varint byte
    uint64_t field = a;
    if (fr_site_event_has_object(kind)) { // the object as a delta
      uint64_t previous = t->last_object;
      t->last_object = a;
      field = fr_zigzag((int64_t)(a - previous));
    }
    if (nfields > 0)
      p = fr_put_varint(p, field);
    if (nfields > 1)
      p = fr_put_varint(p, b);
    if (len) {
      memcpy(p, text, len);
      p += len;
    }
    __atomic_store_n(&t->pos, p, __ATOMIC_RELEASE);
    // About to block, while other threads go without a chunk: give this
    // one back (the thread takes a new one when it records again).
    if ((kind == FR_SEV_WAIT || kind == FR_SEV_COND_WAIT ||
         (kind == FR_SEV_CALL && !at)) &&
        FR_UNLIKELY(__atomic_load_n(&fr_state.pressure, __ATOMIC_RELAXED)))
      fr_thread_park(t, site, kind, nfields, a, b, now);
  } else if ((kind == FR_SEV_WAIT || kind == FR_SEV_COND_WAIT ||
              (kind == FR_SEV_CALL && !at)) &&
             !t->chunk) {
    fr_thread_note_blocked(t, site, kind, nfields, a, b);
  }
  fr_event_end(t);
  return now;
}

static inline __attribute__((always_inline)) uint64_t
fr_site_event(uint32_t site, enum fr_site_event kind, unsigned nfields,
              uint64_t a, uint64_t b) {
  return fr_site_event_text(site, kind, nfields, a, b, NULL, 0, 0);
}

// A lock event with a result (an acquisition, a wait's end, a condition
// wait's): the result field only when it is not 0, which readers take a
// missing field for (include/fr_codec.h), so the common acquisition is a
// byte shorter: a lock-dominated window takes 4 bytes an event, not 4.5.
static inline __attribute__((always_inline)) uint64_t
fr_lock_event(uint32_t site, enum fr_site_event kind, uint64_t obj,
              int64_t result) {
  return fr_site_event(site, kind, result ? 2 : 1, obj, fr_zigzag(result));
}

uint64_t fr_record_site_event(uint32_t site, enum fr_site_event kind,
                              unsigned nfields, uint64_t a, uint64_t b,
                              const char *text, size_t len) {
  return fr_site_event_text(site, kind, nfields, a, b, text, len, 0);
}

// Condition triggers: a wait or call that began at `began` and was recorded
// as over at `ended`, against a threshold in ticks (UINT64_MAX: off).
static inline void fr_check(enum fr_condition condition, uint32_t site,
                            uint64_t began, uint64_t ended,
                            const uint64_t *threshold) {
  if (FR_UNLIKELY(began && ended > began &&
                  ended - began > __atomic_load_n(threshold, __ATOMIC_RELAXED)))
    fr_condition_fired(condition, site, ended - began);
}

// ---- Locks -------------------------------------------------------------------

// busy > 0: the try function returns this value when the lock is taken
// (EBUSY, thrd_busy); busy < 0: it returns -1 with errno EAGAIN (sem_trywait).
static inline int fr_try_was_busy(int r, int busy) {
  return busy > 0 ? r == busy : r == -1 && errno == EAGAIN;
}

// The error number a lock call's result stands for: 0 when acquired.
static inline int64_t fr_lock_result(int r, int busy) {
  return busy > 0 ? r : (r == 0 ? 0 : errno);
}

typedef int (*fr_lock_fn)(void *);
typedef int (*fr_timed_lock_fn)(void *, const void *);

// The try, then (only when the lock is busy) the wait: lock(obj), or
// timed_lock(obj, deadline) when that is given.
// The lock was busy: the wait and its end, then the condition check.
static inline __attribute__((always_inline)) int
fr_wait(uint32_t site, void *obj, fr_lock_fn lock, fr_timed_lock_fn timed_lock,
        const void *deadline, int busy) {
  uint64_t began = fr_site_event(site, FR_SEV_WAIT, 1, (uintptr_t)obj, 0);
  int r = timed_lock ? timed_lock(obj, deadline) : lock(obj);
  uint64_t ended = fr_lock_event(site, FR_SEV_ACQUIRED, (uintptr_t)obj,
                                 fr_lock_result(r, busy));
  fr_check(FR_CONDITION_LOCK_WAIT, site, began, ended, &fr_cond_lock_ticks);
  return r;
}

// guard: the site's guard byte; a site the budget muted (no FR_GUARD_ALL)
// records only the waits.
static inline __attribute__((always_inline)) int
fr_acquire(uint32_t site, void *obj, fr_lock_fn try_lock, fr_lock_fn lock,
           fr_timed_lock_fn timed_lock, const void *deadline, int busy,
           uint32_t guard) {
  // Only sem_trywait sets errno when the lock is busy.
  int saved_errno = busy < 0 ? errno : 0;
  int r = try_lock(obj);
  if (!fr_try_was_busy(r, busy)) {
    if (guard & FR_GUARD_ALL)
      fr_lock_event(site, FR_SEV_ACQUIRE, (uintptr_t)obj,
                    fr_lock_result(r, busy));
    return r;
  }
  if (busy < 0)
    errno = saved_errno;
  return fr_wait(site, obj, lock, timed_lock, deadline, busy);
}

FR_API int __fr_lock_acquire(uint32_t site, void *obj, fr_lock_fn try_lock,
                             fr_lock_fn lock, int busy, uint32_t guard) {
  return fr_acquire(site, obj, try_lock, lock, NULL, NULL, busy, guard);
}

FR_API int __fr_lock_acquire_timed(uint32_t site, void *obj,
                                   fr_lock_fn try_lock, fr_timed_lock_fn lock,
                                   const void *deadline, int busy,
                                   uint32_t guard) {
  return fr_acquire(site, obj, try_lock, NULL, lock, deadline, busy, guard);
}

// A site the budget muted, whose caller found the lock busy: by its try
// (inline), or by a look at the lock word (try_lock given: tried here first,
// as the word was a hint: the lock may be free by now, or this thread's own
// recursive mutex). A wait is recorded as ever. Tries that say "busy" by a
// positive result only (sem_trywait goes through __fr_lock_acquire).
FR_API int __fr_lock_contended(uint32_t site, void *obj, fr_lock_fn try_lock,
                               void *lock, const void *deadline, uint32_t timed,
                               int busy) {
  if (try_lock) {
    int r = try_lock(obj);
    if (r != busy)
      return r;
  }
  if (timed)
    return fr_wait(site, obj, NULL, (fr_timed_lock_fn)lock, deadline, busy);
  return fr_wait(site, obj, (fr_lock_fn)lock, NULL, NULL, busy);
}

// A program's own trylock: one event after it, with its result.
FR_API void __fr_lock_try(uint32_t site, uintptr_t obj, int64_t result) {
  fr_lock_event(site, FR_SEV_ACQUIRE, obj, result);
}

// User-named lock functions, and lock calls without a try counterpart: the
// wait is recorded whether or not it blocks.
FR_API void __fr_lock_wait(uint32_t site, uintptr_t obj) {
  if (FR_UNLIKELY(fr_tls.wait_began)) // inside another wait: a handler's
    fr_tls.wait_began_outer = fr_tls.wait_began;
  fr_tls.wait_began = fr_site_event(site, FR_SEV_WAIT, 1, obj, 0);
}

FR_API void __fr_lock_acquired(uint32_t site, uintptr_t obj, int64_t result) {
  uint64_t ended = fr_lock_event(site, FR_SEV_ACQUIRED, obj, result);
  fr_check(FR_CONDITION_LOCK_WAIT, site, fr_tls.wait_began, ended,
           &fr_cond_lock_ticks);
  fr_tls.wait_began = fr_tls.wait_began_outer;
  fr_tls.wait_began_outer = 0;
}

// Before the unlock, so that the release is never stamped after the next
// owner's acquire.
FR_API void __fr_lock_release(uint32_t site, uintptr_t obj) {
  fr_site_event(site, FR_SEV_RELEASE, 1, obj, 0);
}

FR_API void __fr_cond_wait(uint32_t site, uintptr_t cond, uintptr_t mutex) {
  fr_site_event(site, FR_SEV_COND_WAIT, 2, cond, mutex);
}

FR_API void __fr_cond_woken(uint32_t site, uintptr_t cond, int64_t result) {
  fr_lock_event(site, FR_SEV_COND_WOKEN, cond, result);
}

FR_API void __fr_cond_signal(uint32_t site, uintptr_t cond) {
  fr_site_event(site, FR_SEV_SIGNAL, 1, cond, 0);
}

// ---- Blocking calls ----------------------------------------------------------

// guard: the site's guard byte, the same value for the call and its return.
// A site the budget muted (no FR_GUARD_ALL) only notes when the call began;
// its return records both events if the call took longer than
// FR_SLOW_CALL_NS, the call event stamped with the time it began (nothing of
// this thread's was recorded in between: the callee is not instrumented).
static inline void fr_call_begins(uint32_t site, int64_t arg, uint32_t guard) {
  if (FR_UNLIKELY(fr_tls.call_began)) { // inside another call: a handler's
    fr_tls.call_began_outer = fr_tls.call_began;
    fr_tls.call_arg_outer = fr_tls.call_arg;
  }
  if (guard & FR_GUARD_ALL) {
    fr_tls.call_began = fr_site_event(site, FR_SEV_CALL, 1, fr_zigzag(arg), 0);
    return;
  }
  fr_tls.call_arg = arg;
  fr_tls.call_began = fr_ticks();
}

FR_API void __fr_block_call(uint32_t site, int64_t arg, uint32_t guard) {
  fr_call_begins(site, arg, guard);
}

// stdio calls: the FILE's descriptor, read without taking the FILE's lock.
FR_API void __fr_block_call_file(uint32_t site, FILE *file, uint32_t guard) {
  int saved_errno = errno;
  int fd = file ? fileno_unlocked(file) : -1;
  errno = saved_errno;
  fr_call_begins(site, fd, guard);
}

static inline void fr_call_returns(uint32_t site, int64_t result,
                                   int with_errno, uint32_t guard) {
  uint64_t began = fr_tls.call_began;
  int64_t arg = fr_tls.call_arg;
  fr_tls.call_began = fr_tls.call_began_outer; // 0, or the interrupted call's
  fr_tls.call_arg = fr_tls.call_arg_outer;
  fr_tls.call_began_outer = 0;
  if (!(guard & FR_GUARD_ALL)) {
    uint64_t now = fr_ticks();
    if (!began || now - began <= __atomic_load_n(&fr_slow_call_ticks,
                                                 __ATOMIC_RELAXED)) {
      fr_check(FR_CONDITION_BLOCKING, site, began, now, &fr_cond_call_ticks);
      return;
    }
    fr_site_event_text(site, FR_SEV_CALL, 1, fr_zigzag(arg), 0, NULL, 0,
                       began);
  }
  uint64_t ended;
  if (with_errno && result == -1)
    ended = fr_site_event(site, FR_SEV_RETURN, 2, fr_zigzag(result),
                          fr_zigzag(errno));
  else
    ended = fr_site_event(site, FR_SEV_RETURN, 1, fr_zigzag(result), 0);
  fr_check(FR_CONDITION_BLOCKING, site, began, ended, &fr_cond_call_ticks);
}

FR_API void __fr_block_return(uint32_t site, int64_t result, uint32_t guard) {
  fr_call_returns(site, result, 0, guard);
}

// Calls that report failure as -1 and errno: errno goes with it.
FR_API void __fr_block_return_errno(uint32_t site, int64_t result,
                                    uint32_t guard) {
  fr_call_returns(site, result, 1, guard);
}

// vfork returns twice on one thread state. In the child (0) that state is
// the parent's, borrowed until exec or _exit: marking it busy makes every
// hook the child runs drop its event, so nothing of the child's is written
// into the parent's chunk. The parent, resumed once the child has gone
// (which it cannot have done inside one of our hooks), clears the mark and
// records the call's return.
FR_API void __fr_vfork_return(uint32_t site, int64_t result, uint32_t guard) {
  if (result == 0) {
    fr_tls.busy = FR_BUSY_BORROWED;
    return;
  }
  fr_signal_fence();
  fr_tls.busy = 0;
  fr_call_returns(site, result, 1, guard);
}
