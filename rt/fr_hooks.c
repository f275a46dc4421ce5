// SPDX-License-Identifier: Apache-2.0
// fr_hooks.c: the hot path: the functions the plugin's inserted code calls.
//
// What one function event costs, in order: a test of the site's guard byte in
// the caller (inlined by the plugin, so a stopped recorder, or a function the
// overhead budget muted, costs a load and a branch), the call, the busy check,
// rdtsc, a bounds check against fr_tls.limit, a two-byte store in the common
// case, and a release store of the new position (a plain
// mov on x86-64). No lock, no allocation, no system call: anything rarer
// (first event of a thread, a full chunk, a stopped recorder, the overhead
// budget's look every quarter chunk) goes to fr_thread_slow_reserve().
//
// Concurrency: only the owning thread writes its fr_tls and its chunk. The busy
// flag is set before, and cleared after, everything a hook touches; a signal
// handler that runs a hook on the same thread in between sees it set and drops
// its event (counted in fr_tls.lost_reentrant, reported as FR_EXT_DROPPED at
// the next chunk, or by a snapshot taken before that).
// Compiler barriers are enough for that: a signal runs on the same CPU, in
// program order. Snapshots on other threads read fr_tls.pos with acquire,
// pairing with the release store here.
#include "fr_counted.h"

#include <signal.h>

// The recorder's own switch (the inserted code tests the sites' guards,
// fr_sites.c): the slow path and user annotations check it.
FR_API uint8_t __fr_active;

// The site whose recording wrapper (plugin/FrClone.h) is calling its
// function on this thread, else 0: the function's own test reads it and
// runs its body rather than jump to the wrapper again. Written and read only
// by the plugin's inserted code, on its own thread.
FR_API __thread uint32_t __fr_pass_site
    __attribute__((tls_model("initial-exec")));

#define fr_signal_fence() __atomic_signal_fence(__ATOMIC_SEQ_CST)

// The function hooks' calling convention, which the plugin's calls use too
// (plugin/FrAbi.h): on x86-64 and AArch64 the hook saves every register it
// uses, so that instrumented code need not save its own around a call that
// is almost never taken. Out-of-line helpers the hooks call use it too, so
// the fast path saves only what it touches itself.
// FR_HOOK_CC is defined in fr_internal.h.

// A signal handler nested in the hook that set the mark runs below the
// kernel's signal frame (the red zone, the saved registers and FPU state:
// over a kilobyte on x86-64 and AArch64), so a hook running less than this
// below the mark (or above it) is not inside it: the same call depth after a
// siglongjmp lands within a few dozen bytes of the mark.
#define FR_SIGNAL_FRAME_MIN 512

FR_HOOK_CC void fr_busy_clear_stale(struct fr_tls *t) {
  uintptr_t mark = t->busy;
  if (mark == FR_BUSY_BORROWED || fr_busy_mark() + FR_SIGNAL_FRAME_MIN <= mark)
    return;
  stack_t ss;
  if (sigaltstack(NULL, &ss) != 0 || (ss.ss_flags & SS_ONSTACK))
    return; // a handler on the alternate stack: where the mark was is moot
  t->busy = 0; // left by a hook a handler longjmp()ed out of
}
#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(__clang__)
#error "the fr runtime must be built with clang (preserve_most hooks)"
#endif

// Stamps and appends one event at p, publishes it and ends the hook.
static inline __attribute__((always_inline)) void
fr_append(struct fr_tls *t, uint8_t *p, uint32_t tag) {
  fr_stamp_event(t, p, tag);
  fr_signal_fence();
  t->busy = 0;
}

// Kept out of line so that the fast path calls nothing, saves no registers,
// and reaches it with a tail jump.
static FR_HOOK_CC __attribute__((noinline)) void
fr_record_slow(struct fr_tls *t, uint32_t tag) {
  uint8_t *p = fr_thread_slow_reserve(t, tag);
  if (p) {
    fr_append(t, p, tag);
    return;
  }
  fr_signal_fence();
  t->busy = 0;
}

static inline __attribute__((always_inline)) void fr_record(uint32_t tag) {
  struct fr_tls *t = &fr_tls;
  if (FR_UNLIKELY(fr_busy_holds(t))) {
    fr_count_reentrant(t);
    return;
  }
  // busy goes up before pos is read: a signal handler that records between
  // the two would otherwise have its events overwritten by ours.
  t->busy = fr_busy_mark();
  fr_signal_fence();
  uint8_t *p = t->pos;
  if (FR_UNLIKELY(p >= __atomic_load_n(&t->limit, __ATOMIC_RELAXED))) {
    // A thread backing off for want of space drops its event right here,
    // for a counter; anything else goes out of line.
    if (fr_backing_off(t)) {
      fr_signal_fence();
      t->busy = 0;
      return;
    }
    fr_record_slow(t, tag);
    return;
  }
  fr_append(t, p, tag);
}

// A watched function (FR_OPTIONS slow=NAME:DURATION) and a function the
// budget counts rather than records (fr_counted.c) have their bit (site & 63)
// in fr_detour_mask. The test comes first so that the common path still ends
// in fr_record's tail jump and needs no stack frame: one load, a shift and a
// branch per event. The detour finds which it is, out of line; another
// site that shares the bit is recorded there as usual.
//
// The detour's stack pointer, kept with a timed call's entry, is below the
// instrumented function's frame: where the stack is back at an instrumented
// frame (__fr_func_resume), the timed calls below it were left by a longjmp
// or an exception (fr_counted.h).
static FR_HOOK_CC __attribute__((noinline)) void
fr_detour_watched(uint32_t site, uint32_t event_class, uintptr_t sp) {
  fr_record(fr_event_tag(site, event_class));
  if (event_class == FR_EV_ENTER)
    fr_watch_enter(site, sp);
  else
    fr_watch_exit(site);
}

// Calls nothing but functions of the hooks' convention, so that it saves
// only the registers it uses itself.
static FR_HOOK_CC __attribute__((noinline)) void
fr_detour(uint32_t site, uint32_t event_class) {
  uintptr_t sp = fr_busy_mark();
  uint32_t slot = fr_counted_slot_of(site);
  if (FR_LIKELY(slot < FR_COUNTED_SLOTS))
    fr_count_call(slot, site, event_class == FR_EV_ENTER, sp);
  else
    fr_detour_watched(site, event_class, sp);
}

static inline int fr_is_detour_candidate(uint32_t site) {
  return FR_UNLIKELY(__atomic_load_n(&fr_detour_mask, __ATOMIC_RELAXED) >>
                         (site & 63) & 1);
}

FR_API FR_HOOK_CC void __fr_func_enter(uint32_t site) {
  if (fr_is_detour_candidate(site)) {
    fr_detour(site, FR_EV_ENTER);
    return;
  }
  fr_record(fr_event_tag(site, FR_EV_ENTER));
}

FR_API FR_HOOK_CC void __fr_func_exit(uint32_t site) {
  if (fr_is_detour_candidate(site)) {
    fr_detour(site, FR_EV_EXIT);
    return;
  }
  fr_record(fr_event_tag(site, FR_EV_EXIT));
}

// The stack is back at a frame of site (plugin/FrUnwind.h): an exception
// caught there, a longjmp to a setjmp there. Rare, so the standard calling
// convention.
FR_API void __fr_func_resume(uint32_t site, uint32_t cause) {
  struct fr_tls *t = &fr_tls;
  uint8_t *p;
  uintptr_t sp = fr_busy_mark();
  if (!fr_event_begin(t, &p))
    return;
  if (t->watch_depth)
    fr_timed_resume(t, site, sp);
  if (p) {
    uint64_t now;
    p = fr_put_stamped(t, p, fr_event_tag(FR_EXT_RESUMED, FR_EV_EXT), &now);
    p = fr_put_sized_pair(p, site, cause);
    __atomic_store_n(&t->pos, p, __ATOMIC_RELEASE);
  }
  fr_event_end(t);
}
