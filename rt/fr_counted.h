// SPDX-License-Identifier: Apache-2.0
// fr_counted.h: the counted tier's fast path (fr_counted.c has the rest):
// what a call of a counted function costs, inlined into the hooks' detour
// (fr_hooks.c) so that it calls nothing on its common path and saves only
// the few registers it uses; and the timed-call stack it shares with
// watched functions (fr_trigger.c).
//
// Concurrency: as fr_counted.c: the thread's own fr_tls, with its busy mark
// set; the counted sites read relaxed.
#ifndef FR_COUNTED_H
#define FR_COUNTED_H

#include "fr_internal.h"

// Out of line (rare): a slot's count into the chunk, and a call that may
// have been slow. The hooks' convention: callers save nothing for them.
FR_INTERNAL FR_HOOK_CC void fr_counted_flush_slot(struct fr_tls *t,
                                                  uint32_t slot);
FR_INTERNAL FR_HOOK_CC void fr_counted_put_slow(struct fr_tls *t,
                                                uint32_t site, uint64_t since,
                                                uint64_t now);

// The slot of a counted site, or FR_COUNTED_SLOTS when it is not counted.
static inline __attribute__((always_inline)) uint32_t
fr_counted_slot_of(uint32_t site) {
  uint32_t slot = 0;
  while (slot < FR_COUNTED_SLOTS &&
         __atomic_load_n(&fr_counted_sites[slot], __ATOMIC_RELAXED) != site)
    slot++;
  return slot;
}

// The timed-call stack. An exit pops the innermost entry of its function,
// dropping the entries above it (calls whose exits never ran). Calls a
// longjmp or an exception ended are dropped where the stack is back at an
// instrumented frame (fr_timed_resume, from __fr_func_resume): by where on
// the machine stack their hooks ran, which is below every frame still
// running. (Not at each entry or exit: the stack pointer at a function's
// entry hook and at its exit hooks differs by the pushes around each call,
// 32 bytes under ASan, about what a small callee's frame adds.) The inline
// parts handle a call nested in the last one and an exit of the last one;
// the rest goes out of line (fr_counted.c).
FR_INTERNAL FR_HOOK_CC void fr_timed_push_full(struct fr_tls *t);
// *found: 1, with *since, when the call was tracked.
FR_INTERNAL FR_HOOK_CC void fr_timed_pop_slow(struct fr_tls *t, uint32_t site,
                                              uint64_t *since, int *found);

static inline __attribute__((always_inline)) void
fr_timed_push(struct fr_tls *t, uint32_t site, uint64_t since, uintptr_t sp) {
  uint32_t d = t->watch_depth;
  if (FR_UNLIKELY(d == FR_WATCH_DEPTH)) {
    fr_timed_push_full(t);
    return;
  }
  t->watch_site[d] = site;
  t->watch_since[d] = since;
  t->watch_sp[d] = sp;
  t->watch_depth = d + 1;
}

// 1, with the entry's since, when the call of site ending now was tracked.
static inline __attribute__((always_inline)) int
fr_timed_pop(struct fr_tls *t, uint32_t site, uint64_t *since) {
  uint32_t d = t->watch_depth;
  if (FR_LIKELY(d && !t->watch_overflow && t->watch_site[d - 1] == site)) {
    t->watch_depth = d - 1;
    *since = t->watch_since[d - 1];
    return 1;
  }
  int found = 0;
  fr_timed_pop_slow(t, site, since, &found);
  return found;
}

// A call of the counted site in slot begins (enter) or ends, at sp. At its
// entry: one more call counted, and the CPU's clock noted; at its exit, the
// clock read again: a call longer than the threshold is recorded, with the
// time it began and its duration, both exact.
static inline __attribute__((always_inline)) void
fr_count_call(uint32_t slot, uint32_t site, int enter, uintptr_t sp) {
  struct fr_tls *t = &fr_tls;
  if (FR_UNLIKELY(fr_busy_holds(t)))
    return; // a signal handler's call inside a hook: not counted
  t->busy = sp;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  if (enter) {
    if (FR_UNLIKELY(t->counted_site[slot] != site)) {
      fr_counted_flush_slot(t, slot); // what it counted for another site
      t->counted_site[slot] = site;
    }
    if (FR_UNLIKELY(++t->counted_calls[slot] >= FR_COUNT_FLUSH_CALLS))
      fr_counted_flush_slot(t, slot);
    // Never before the thread's last event (a migration to a core whose
    // counter lags): readers place the call after it.
    uint64_t since = fr_ticks();
    if (FR_UNLIKELY(since < t->last_ticks))
      since = t->last_ticks;
    fr_timed_push(t, site, since, sp);
  } else {
    uint64_t since;
    if (fr_timed_pop(t, site, &since)) {
      uint64_t now = fr_ticks();
      // now < since: a migration to a core whose counter lags; not slow.
      if (FR_UNLIKELY(now > since &&
                      now - since > __atomic_load_n(&fr_slow_call_ticks,
                                                    __ATOMIC_RELAXED)))
        fr_counted_put_slow(t, site, since, now);
    }
  }
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  t->busy = 0;
}

#endif // FR_COUNTED_H
