// SPDX-License-Identifier: Apache-2.0
// fr_trigger.c: snapshots when something goes wrong, with no code change:
// on a signal (SIGUSR2 by default), on a crash (SIGSEGV, SIGBUS, SIGFPE,
// SIGILL, SIGABRT), and when a condition fires: a lock wait, a blocking call
// or a watched function that took longer than its threshold.
//
// Conditions only ask: they fill one request slot and wake a dumper thread
// with a futex on the slot (both async-signal-safe, and no file descriptor:
// a daemon that closes every descriptor and opens its own files cannot have
// fr write into them), and the dumper writes the snapshot. So
// a condition's snapshot is taken just after the slow event was recorded,
// and holds it. The snapshot signal asks the same dumper when there is one
// (a condition is set); otherwise its handler writes the snapshot itself,
// with the crash path's async-signal-safe writer. A thread of fr's own only
// for the signal would make every single-threaded program multi-threaded,
// and glibc then takes the slow path of every mutex (3.1 -> 11.3 ns a lock
// and unlock, bench/RESULTS.md). Requests are rate-limited (rate: at most one
// snapshot per interval) and capped (max_dumps per run); what is dropped is
// counted and said once at exit.
//
// A crash cannot wait for another thread: the crashing thread writes its own
// snapshot from the handler, async-signal-safely (fr_output.c,
// fr_snapshot.c's crash mode), then puts back the disposition it found and
// raises the signal again, so core dumps and the exit status are what they
// would have been. Every recording thread gets an alternate signal stack, so
// a stack overflow is recorded too. A crash handler the program had already
// installed runs first: a fault it repairs (a JIT's, a collector's) is no
// crash and writes nothing; one that comes back unrepaired is dumped (see
// fr_on_crash). A handler the program installs later replaces ours; a signal
// it ignores (SIG_IGN) stays ignored.
//
// Concurrency: the request slot is claimed with an atomic flag, and so is
// the crash path's writer (fr_handler_writing: a signal snapshot, or the
// crash dump, which is skipped if it interrupts one); thresholds
// and the watch mask are written once by the dumper thread or at
// registration and read relaxed by hooks; the crash handler runs once per
// process (an atomic flag), other crashing threads go straight to the
// re-raise.
#include "fr_counted.h"
#include "fr_text.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

uint64_t fr_cond_lock_ticks = UINT64_MAX;
uint64_t fr_cond_call_ticks = UINT64_MAX;
uint64_t fr_watch_mask;
static uint64_t fr_cond_slow_ticks = UINT64_MAX;

static struct fr_trigger_config fr_trig;
static fr_recorder *fr_trig_recorder;
static const char *fr_trig_output;
static int fr_dumper_running; // the dumper thread exists (this process)

// The one pending request; a second one while it waits is coalesced (and
// counted as dropped). State: 0 free, 1 being filled, 2 ready.
enum { FR_SLOT_FREE, FR_SLOT_FILLING, FR_SLOT_READY };
static int fr_request_state;
static struct fr_trigger_info fr_request;
static uint64_t fr_last_request_ns; // CLOCK_MONOTONIC of the last accepted
static uint32_t fr_requests_accepted;
static uint64_t fr_requests_dropped;

#define FR_MAX_WATCHED 64
static uint32_t fr_watched[FR_MAX_WATCHED];
static uint32_t fr_watched_count;

static const int fr_crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define FR_NCRASH (sizeof(fr_crash_signals) / sizeof(fr_crash_signals[0]))
static struct sigaction fr_previous[65];
static int fr_crashing;        // 0, or the tid of the thread writing the dump
static int fr_crash_done;      // that dump is written (or given up)
static int fr_handler_writing; // the crash path's writer is in use
static int fr_handler_writing_tid; // and by which thread
static int fr_install(int sig, void (*handler)(int, siginfo_t *, void *),
                      int flags);

// Bounded waits of the crash path, in 1 ms steps (nanosleep is
// async-signal-safe): another thread's dump to finish before this crashing
// thread lets the process die, and a signal snapshot in flight on another
// thread before the dump takes the writer.
#define FR_CRASH_WAIT_MS 10000
#define FR_WRITER_WAIT_MS 2000

static void fr_crash_pause(void) {
  struct timespec ms = {0, 1000 * 1000};
  nanosleep(&ms, NULL);
}

// One async-signal-safe line: this crash's dump could not be written.
static void fr_say_crash_skipped(void) {
  char line[128];
  struct fr_text t = fr_text_in(line, sizeof(line));
  fr_text_str(&t, "fr: crash snapshot not written: another snapshot was "
                  "still being written");
  fr_text_say(&t, line);
}

static uint64_t fr_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// ---- Asking for a snapshot (async-signal-safe) -------------------------------

// Within the rate and the cap? Counts it as accepted, or as dropped.
static int fr_accept(uint64_t now) {
  uint64_t last = __atomic_load_n(&fr_last_request_ns, __ATOMIC_RELAXED);
  if ((last && now - last < fr_trig.rate_ns) ||
      __atomic_load_n(&fr_requests_accepted, __ATOMIC_RELAXED) >=
          fr_trig.max_dumps) {
    __atomic_fetch_add(&fr_requests_dropped, 1, __ATOMIC_RELAXED);
    return 0;
  }
  __atomic_store_n(&fr_last_request_ns, now, __ATOMIC_RELAXED);
  __atomic_fetch_add(&fr_requests_accepted, 1, __ATOMIC_RELAXED);
  return 1;
}

static void fr_ask(const struct fr_trigger_info *info) {
  if (!__atomic_load_n(&fr_dumper_running, __ATOMIC_ACQUIRE))
    return;
  uint64_t now = fr_monotonic_ns();
  int expected = FR_SLOT_FREE;
  if (!__atomic_compare_exchange_n(&fr_request_state, &expected,
                                   FR_SLOT_FILLING, 0, __ATOMIC_ACQUIRE,
                                   __ATOMIC_RELAXED)) {
    __atomic_fetch_add(&fr_requests_dropped, 1, __ATOMIC_RELAXED);
    return;
  }
  if (!fr_accept(now)) {
    __atomic_store_n(&fr_request_state, FR_SLOT_FREE, __ATOMIC_RELEASE);
    return;
  }
  fr_request = *info;
  __atomic_store_n(&fr_request_state, FR_SLOT_READY, __ATOMIC_RELEASE);
  int saved_errno = errno;
  syscall(SYS_futex, &fr_request_state, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
  errno = saved_errno;
}

static uint32_t fr_current_thread_index(void) {
  struct fr_thread *th = fr_tls.thread;
  return th ? th->index : 0;
}

static uint64_t fr_ticks_to_ns(uint64_t ticks, uint64_t threshold_ticks,
                               uint64_t threshold_ns) {
  // The threshold pair gives the clock rate without another calibration.
  return threshold_ticks ? (uint64_t)((double)ticks * (double)threshold_ns /
                                      (double)threshold_ticks)
                         : 0;
}

void fr_condition_fired(enum fr_condition condition, uint32_t site,
                        uint64_t ticks) {
  // Written (atomically) by the dumper thread when it calibrates.
  uint64_t threshold_ticks = __atomic_load_n(
      condition == FR_CONDITION_LOCK_WAIT   ? &fr_cond_lock_ticks
      : condition == FR_CONDITION_BLOCKING ? &fr_cond_call_ticks
                                           : &fr_cond_slow_ticks,
      __ATOMIC_RELAXED);
  uint64_t threshold_ns = condition == FR_CONDITION_LOCK_WAIT ? fr_trig.lock_wait_ns
                          : condition == FR_CONDITION_BLOCKING ? fr_trig.blocking_ns
                                                               : fr_trig.slow_ns;
  struct fr_trigger_info info = {
      FR_TRIGGER_CONDITION, condition, fr_current_thread_index(), site,
      fr_ticks_to_ns(ticks, threshold_ticks, threshold_ns), threshold_ns};
  fr_ask(&info);
}

// ---- Watched functions -------------------------------------------------------

void fr_watch_consider(uint32_t site, const char *function) {
  if (!fr_trig.slow_function[0] || !function ||
      strcmp(function, fr_trig.slow_function) ||
      fr_watched_count == FR_MAX_WATCHED)
    return;
  fr_watched[fr_watched_count] = site;
  __atomic_store_n(&fr_watched_count, fr_watched_count + 1, __ATOMIC_RELEASE);
  __atomic_or_fetch(&fr_watch_mask, 1ull << (site & 63), __ATOMIC_RELEASE);
  __atomic_or_fetch(&fr_detour_mask, 1ull << (site & 63), __ATOMIC_RELEASE);
}

int fr_is_watched(uint32_t site) {
  uint32_t n = __atomic_load_n(&fr_watched_count, __ATOMIC_ACQUIRE);
  for (uint32_t i = 0; i < n; i++)
    if (fr_watched[i] == site)
      return 1;
  return 0;
}

// Called after the entry event was recorded: its time is last_ticks.
void fr_watch_enter(uint32_t site, uintptr_t sp) {
  struct fr_tls *t = &fr_tls;
  if (!fr_is_watched(site))
    return;
  fr_timed_push(t, site, t->last_ticks, sp);
}

void fr_watch_exit(uint32_t site) {
  struct fr_tls *t = &fr_tls;
  uint64_t since;
  if (!fr_is_watched(site) || !fr_timed_pop(t, site, &since))
    return; // deeper than tracked, or not entered since it was watched
  uint64_t took = t->last_ticks - since;
  if (took > __atomic_load_n(&fr_cond_slow_ticks, __ATOMIC_RELAXED))
    fr_condition_fired(FR_CONDITION_FUNCTION, site, took);
}

// ---- Signal and crash handlers -----------------------------------------------

static void fr_chain(int sig, siginfo_t *si, void *uctx) {
  const struct sigaction *old = &fr_previous[sig];
  if (old->sa_flags & SA_SIGINFO) {
    if (old->sa_sigaction)
      old->sa_sigaction(sig, si, uctx);
  } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN &&
             old->sa_handler) {
    old->sa_handler(sig);
  }
}

int fr_identity_pid;

// Snapshot writers forked by signal handlers. They are clone children with
// no exit signal: no SIGCHLD reaches the program, and its wait() or
// waitpid(-1) never sees them (only __WALL or __WCLONE do); fr reaps them
// by pid at the next signal snapshot and at exit.
#define FR_MAX_WRITERS 16
static int fr_writer_pids[FR_MAX_WRITERS];

void fr_trigger_reap_writers(int wait) {
  for (int i = 0; i < FR_MAX_WRITERS; i++) {
    int pid = __atomic_load_n(&fr_writer_pids[i], __ATOMIC_RELAXED);
    if (pid > 0 && waitpid(pid, NULL, __WALL | (wait ? 0 : WNOHANG)) != 0)
      __atomic_store_n(&fr_writer_pids[i], 0, __ATOMIC_RELAXED);
  }
}

// Below this much window in use, the handler writes the snapshot itself
// (about 1 ms); above, forking is cheaper than writing (a fork costs about
// 1 ms with a 64 MiB window in use, writing it about 30 ms).
#define FR_FORK_WRITE_MIN_BYTES (4u << 20)

// Present when the program runs under ThreadSanitizer (its runtime is
// linked into the executable), whether or not fr itself was built with it.
extern void __tsan_init(void) __attribute__((weak));

// The snapshot signal's handler stops its thread only for a fork: the
// child, a copy of the process as it was at the signal with one thread,
// writes the window with the crash path's writer under the program's pid
// and exits. 0: not forked (too small a window to be worth it, or no
// process could be had), the caller writes it.
static int fr_write_forked(const struct fr_trigger_info *info) {
  // ThreadSanitizer cannot follow a process cloned from a handler: the child
  // inherits its internal locks as the other threads held them (it hung in
  // make stress-tsan's signal storm) and their access histories (it
  // reported the child's reads of the window as races). Under it, the
  // handler writes the snapshot itself.
  if (__tsan_init)
    return 0;
  struct fr_pool *pool = __atomic_load_n(&fr_state.pool, __ATOMIC_ACQUIRE);
  if (!pool || (uint64_t)__atomic_load_n(&pool->high_water, __ATOMIC_RELAXED) *
                       pool->chunk_size <
                   FR_FORK_WRITE_MIN_BYTES)
    return 0;
  fr_trigger_reap_writers(0);
  int slot = -1;
  for (int i = 0; i < FR_MAX_WRITERS && slot < 0; i++)
    if (!__atomic_load_n(&fr_writer_pids[i], __ATOMIC_RELAXED))
      slot = i;
  if (slot < 0)
    return 0;
  int program = (int)getpid();
  unsigned seq = fr_output_take_sequence();
  // clone with no flags and no exit signal: a fork, minus SIGCHLD. The
  // child runs on its copy of this stack and returns here with 0.
  long pid = syscall(SYS_clone, 0L, NULL, NULL, NULL, NULL);
  if (pid < 0)
    return 0;
  if (pid == 0) {
    fr_identity_pid = program;
    // A fault in the writer: die at once, no dump, no wait for one.
    __atomic_store_n(&fr_crashing, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&fr_crash_done, 1, __ATOMIC_RELAXED);
    fr_tls.busy = fr_busy_mark();
    fr_output_write_crash_numbered(fr_trig_output, info, seq);
    _exit(0);
  }
  __atomic_store_n(&fr_writer_pids[slot], (int)pid, __ATOMIC_RELAXED);
  return 1;
}

// Writes a snapshot from this signal handler (in a forked writer when the
// window is large, else with the crash path's writer right here), which one
// handler at a time may do. This thread's hooks must not write while its
// chunk is copied; a program's handler that returns finds the thread as it
// was.
static void fr_write_from_handler(const struct fr_trigger_info *info) {
  if (__atomic_exchange_n(&fr_handler_writing, 1, __ATOMIC_ACQ_REL)) {
    // Another handler is writing (or the process is crashing): this one is
    // not taken, and is counted as such (reported at exit).
    __atomic_fetch_add(&fr_requests_dropped, 1, __ATOMIC_RELAXED);
    return;
  }
  __atomic_store_n(&fr_handler_writing_tid, (int)syscall(SYS_gettid),
                   __ATOMIC_RELAXED);
  uintptr_t was_busy = fr_busy_enter();
  if (fr_enabled(fr_trig_recorder) && !fr_write_forked(info))
    fr_output_write_crash(fr_trig_output, info);
  fr_busy_leave(was_busy);
  __atomic_store_n(&fr_handler_writing_tid, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&fr_handler_writing, 0, __ATOMIC_RELEASE);
}

static void fr_on_signal(int sig, siginfo_t *si, void *uctx) {
  int saved_errno = errno;
  struct fr_trigger_info info = {FR_TRIGGER_SIGNAL, (uint32_t)sig,
                                 fr_current_thread_index(), 0, 0, 0};
  if (__atomic_load_n(&fr_dumper_running, __ATOMIC_ACQUIRE))
    fr_ask(&info);
  else if (fr_accept(fr_monotonic_ns()))
    fr_write_from_handler(&info);
  errno = saved_errno;
  fr_chain(sig, si, uctx);
}

// The first crashing thread writes the dump; any other that crashes
// meanwhile waits (bounded) until it is written, instead of re-raising and
// killing the process in the middle of it. A crash inside the dump itself
// (the same thread) does not wait for itself.
// Crash dumps a process writes at most (threads crashing one after another,
// a program's handler that keeps returning from new unrepaired faults).
#define FR_MAX_CRASH_DUMPS 4
static int fr_crash_dumps;

static void fr_crash_dump(int sig, const siginfo_t *si, const void *uctx) {
  if (__atomic_load_n(&fr_crash_dumps, __ATOMIC_RELAXED) >= FR_MAX_CRASH_DUMPS)
    return;
  int tid = (int)syscall(SYS_gettid);
  int first = 0;
  if (!__atomic_compare_exchange_n(&fr_crashing, &first, tid, 0,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    for (int ms = 0; first != tid && ms < FR_CRASH_WAIT_MS &&
                     !__atomic_load_n(&fr_crash_done, __ATOMIC_ACQUIRE);
         ms++)
      fr_crash_pause();
    return;
  }
  // A signal snapshot being written by another thread's handler holds the
  // writer's buffers: let it finish. On this thread (the crash is its own)
  // it never will.
  int taken = 0;
  for (int ms = 0; ms < FR_WRITER_WAIT_MS; ms++) {
    if (!__atomic_exchange_n(&fr_handler_writing, 1, __ATOMIC_ACQ_REL)) {
      taken = 1;
      break;
    }
    if (__atomic_load_n(&fr_handler_writing_tid, __ATOMIC_RELAXED) == tid)
      break;
    fr_crash_pause();
  }
  if (taken) {
    __atomic_fetch_add(&fr_crash_dumps, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&fr_handler_writing_tid, tid, __ATOMIC_RELAXED);
    struct fr_fault fault;
    fr_fault_describe(sig, si, uctx, &fault);
    struct fr_trigger_info info = {FR_TRIGGER_CRASH, (uint32_t)sig,
                                   fr_current_thread_index(), 0, 0, 0, &fault};
    // Our own hooks on this thread must not write while we copy its chunk;
    // a handler of the program's that recovers finds the thread as it was.
    uintptr_t was_busy = fr_busy_enter();
    fr_output_write_crash(fr_trig_output, &info);
    fr_busy_leave(was_busy);
    __atomic_store_n(&fr_handler_writing_tid, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&fr_handler_writing, 0, __ATOMIC_RELEASE);
  } else {
    fr_say_crash_skipped();
  }
  __atomic_store_n(&fr_crash_done, 1, __ATOMIC_RELEASE);
}

// The last fault a program's own handler returned from, and how many times
// in a row the same one came back.
static struct {
  int sig;
  uintptr_t pc, addr;
  unsigned repeats;
} fr_last_fault;

static void fr_on_crash(int sig, siginfo_t *si, void *uctx) {
  int saved_errno = errno;
  const struct sigaction *old = &fr_previous[sig];
  int program_handler = (old->sa_flags & SA_SIGINFO) ||
                        (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN);
  if (program_handler) {
    // The program handles this signal itself (a JIT, a collector's write
    // barrier, a crash reporter): its handler runs first, and a fault it
    // repairs is no crash. Only a fault that comes back unrepaired (the
    // same instruction and address again) is dumped, once, before the
    // handler sees it again. A handler that dies instead (resets the
    // disposition and returns, raises, aborts) reaches this handler again
    // through the default action or SIGABRT, and is dumped then.
    uintptr_t pc = fr_fault_pc(uctx), addr = (uintptr_t)si->si_addr;
    if (fr_last_fault.sig == sig && fr_last_fault.pc == pc &&
        fr_last_fault.addr == addr) {
      if (++fr_last_fault.repeats == 1)
        fr_crash_dump(sig, si, uctx);
    } else {
      fr_last_fault.sig = sig;
      fr_last_fault.pc = pc;
      fr_last_fault.addr = addr;
      fr_last_fault.repeats = 0;
    }
    sigaction(sig, old, NULL); // a re-raise in it gets what it would get
    errno = saved_errno;
    fr_chain(sig, si, uctx);
    // It returned: the fault is repaired, or comes back to be seen again.
    // fr goes on: its handler back in place, the next crash dumped.
    saved_errno = errno;
    fr_install(sig, fr_on_crash, SA_ONSTACK);
    __atomic_store_n(&fr_crash_done, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&fr_crashing, 0, __ATOMIC_RELEASE);
    errno = saved_errno;
    return;
  }
  fr_crash_dump(sig, si, uctx);
  // What would have happened without us: the default action once this
  // handler returns (the signal is blocked until then, so the raise is
  // delivered right after).
  sigaction(sig, old, NULL);
  errno = saved_errno;
  raise(sig);
}

static int fr_install(int sig, void (*handler)(int, siginfo_t *, void *),
                      int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, NULL, &fr_previous[sig]) != 0)
    return -1;
  if (!(fr_previous[sig].sa_flags & SA_SIGINFO) &&
      fr_previous[sig].sa_handler == SIG_IGN && handler == fr_on_signal)
    return 0; // the program ignores this signal on purpose: leave it
  return sigaction(sig, &sa, NULL);
}

// ---- The dumper thread -------------------------------------------------------

static void fr_calibrate(void) {
  struct fr_clock_anchor now;
  uint64_t hz = fr_clock_tick_hz(&fr_start_anchor, &now);
  double per_ns = (double)hz / 1e9;
  if (fr_trig.lock_wait_ns)
    __atomic_store_n(&fr_cond_lock_ticks,
                     (uint64_t)((double)fr_trig.lock_wait_ns * per_ns),
                     __ATOMIC_RELAXED);
  if (fr_trig.blocking_ns)
    __atomic_store_n(&fr_cond_call_ticks,
                     (uint64_t)((double)fr_trig.blocking_ns * per_ns),
                     __ATOMIC_RELAXED);
  if (fr_trig.slow_ns)
    __atomic_store_n(&fr_cond_slow_ticks,
                     (uint64_t)((double)fr_trig.slow_ns * per_ns),
                     __ATOMIC_RELAXED);
}

static void *fr_dumper(void *arg) {
  (void)arg;
  // The runtime's own thread: it never records.
  fr_tls.state = FR_TLS_EXITED;
  fr_calibrate();
  for (;;) {
    int state = __atomic_load_n(&fr_request_state, __ATOMIC_ACQUIRE);
    if (state != FR_SLOT_READY) { // sleep until the slot changes
      syscall(SYS_futex, &fr_request_state, FUTEX_WAIT_PRIVATE, state, NULL,
              NULL, 0);
      continue;
    }
    struct fr_trigger_info info = fr_request;
    __atomic_store_n(&fr_request_state, FR_SLOT_FREE, __ATOMIC_RELEASE);
    if (fr_enabled(fr_trig_recorder))
      fr_output_write(fr_trig_recorder, fr_trig_output, &info);
  }
}

void fr_trigger_report_dropped(void) {
  uint64_t n = __atomic_load_n(&fr_requests_dropped, __ATOMIC_RELAXED);
  if (!n)
    return;
  char line[160];
  struct fr_text t = fr_text_in(line, sizeof(line));
  fr_text_str(&t, "fr: ");
  fr_text_uint(&t, n, 1);
  fr_text_str(&t, n == 1 ? " triggered snapshot" : " triggered snapshots");
  fr_text_str(&t, " not taken (rate=");
  fr_text_uint(&t, fr_trig.rate_ns / 1000000, 1);
  fr_text_str(&t, "ms, max_dumps=");
  fr_text_uint(&t, fr_trig.max_dumps, 1);
  fr_text_str(&t, ")");
  fr_text_say(&t, line);
}

// The main thread's alternate stack: a stack overflow's SIGSEGV can run.
static void fr_alternate_stack(void) {
  stack_t current;
  if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE))
    return; // the program has one
  size_t size = 64 * 1024;
  void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED)
    return;
  stack_t ss = {.ss_sp = mem, .ss_size = size, .ss_flags = 0};
  sigaltstack(&ss, NULL);
}

static int fr_start_dumper(void) {
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // Hooks must not run on the dumper: it is the runtime's own thread, and
  // the runtime is never instrumented, so nothing in it records.
  int err = pthread_create(&thread, &attr, fr_dumper, NULL);
  pthread_attr_destroy(&attr);
  if (err) {
    errno = err;
    return -1;
  }
  pthread_setname_np(thread, "fr-dumper");
  __atomic_store_n(&fr_dumper_running, 1, __ATOMIC_RELEASE);
  return 0;
}

// After fork, only the forking thread exists: the child's triggers start
// over (its rate, cap and dropped counts, no dump or handler write in
// flight) and it gets its own dumper (its snapshots carry its own pid).
void fr_trigger_after_fork_child(void) {
  int had_dumper = fr_dumper_running;
  fr_dumper_running = 0;
  fr_request_state = FR_SLOT_FREE;
  fr_last_request_ns = 0;
  fr_requests_accepted = 0;
  fr_requests_dropped = 0;
  fr_crashing = 0;
  fr_crash_done = 0;
  fr_handler_writing = 0;
  fr_handler_writing_tid = 0;
  if (had_dumper)
    fr_start_dumper();
}

static int fr_wants_dumper(void) {
  return fr_trig.lock_wait_ns || fr_trig.blocking_ns || fr_trig.slow_ns;
}

// A line naming what failed and errno's meaning.
static void fr_trigger_complain(const char *what, int detail, const char *then,
                                int err) {
  char line[256];
  struct fr_text t = fr_text_in(line, sizeof(line));
  fr_text_str(&t, what);
  if (detail >= 0)
    fr_text_uint(&t, (uint64_t)detail, 1);
  fr_text_str(&t, ": ");
  fr_text_errno(&t, err);
  fr_text_str(&t, then);
  fr_text_say(&t, line);
}

void fr_trigger_start_dumper(void) {
  static int started;
  if (started || !fr_wants_dumper())
    return;
  started = 1;
  if (fr_start_dumper() != 0) {
    fr_trigger_complain("fr: cannot start the snapshot thread", -1,
                        "; condition triggers are off", errno);
    fr_trig.lock_wait_ns = fr_trig.blocking_ns = fr_trig.slow_ns = 0;
    return;
  }
}

int fr_trigger_setup(fr_recorder *r, const char *output,
                     const struct fr_trigger_config *cfg) {
  fr_trig = *cfg;
  fr_trig_recorder = r;
  fr_trig_output = output;
  if (cfg->signal && fr_install(cfg->signal, fr_on_signal, SA_RESTART) != 0)
    fr_trigger_complain("fr: cannot handle signal ", cfg->signal, "", errno);
  if (cfg->crash) {
    fr_alternate_stack();
    __atomic_store_n(&fr_state.crash_stacks, 1, __ATOMIC_RELAXED);
    for (size_t i = 0; i < FR_NCRASH; i++)
      fr_install(fr_crash_signals[i], fr_on_crash, SA_ONSTACK);
  }
  return 0;
}
