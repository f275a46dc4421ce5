// SPDX-License-Identifier: Apache-2.0
// fr_coarse_clock.c: a clock that costs one load to read, for timing calls
// the overhead budget no longer records (fr_counted.c).
//
// A counted call must not read the CPU's clock: that read is most of what
// recording costs (docs/hot-path.md). So a thread of the runtime's own wakes
// every FR_COARSE_PERIOD_NS, reads the clock and publishes a tick number and
// the time of each tick; a counted call notes the tick number at its entry
// and compares at its exit. Only a call that spans two ticks or more reads
// the CPU's clock, and only one whose lower bound is over the threshold is
// recorded (FR_EXT_SLOW_CALL): no call shorter than the threshold is ever
// reported as slow, however late the clock's thread is scheduled, and one
// longer than the threshold and two periods is always.
//
// The time of tick s is stored before s is published: a call that saw tick
// s at its entry began after that time (within a period of it, when the
// thread is scheduled on time), and before the time of tick s + 2, which
// was read after s + 1 was published, itself after the entry's read
// (docs/budget.md, "Counted calls").
//
// The thread runs only while some site is counted, and starts the first
// time one is. It is started from a writer's slow path, which may be in a
// signal handler: so not with pthread_create (not async-signal-safe: it
// allocates and takes glibc's locks), but with a bare clone() that shares
// the address space, a stack of its own from mmap, every signal blocked,
// and code that touches no thread-local storage (it has none of its own:
// it runs with its creator's) and calls nothing in libc but through raw
// system calls. Not under ThreadSanitizer, which cannot follow a thread it
// did not create: there counted calls are counted, not timed.
//
// Concurrency: fr_coarse_seq and the ring are written by the clock's thread
// only (a tick's ring slot, then the tick with release) and read by any
// thread (the tick with acquire, then the slot); fr_coarse_wanted is the
// futex word the thread sleeps on while nothing is counted, set by
// fr_counted.c under the site registry's lock. Starting is claimed with an
// atomic flag.
#include "fr_internal.h"

#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#define FR_COARSE_STACK_BYTES (64u << 10)

uint32_t fr_coarse_seq;                 // 0: the clock has never ticked
uint64_t fr_coarse_ring[FR_COARSE_RING]; // the time of tick s at [s % ring]
static uint32_t fr_coarse_wanted;       // sites counted now (futex word)
static int fr_coarse_started;           // in this process

#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(FR_TSAN)
#define FR_COARSE_SUPPORTED 1
#else
#define FR_COARSE_SUPPORTED 0
#endif

#if FR_COARSE_SUPPORTED && defined(__x86_64__)
static inline long fr_raw_syscall4(long n, long a, long b, long c, long d) {
  long ret;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return ret;
}
#elif FR_COARSE_SUPPORTED && defined(__aarch64__)
static inline long fr_raw_syscall4(long n, long a, long b, long c, long d) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  __asm__ volatile("svc 0"
                   : "+r"(x0)
                   : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
                   : "memory");
  return x0;
}
#endif

#if FR_COARSE_SUPPORTED
// The clock's thread. It has no TLS of its own (its %fs, or TPIDR_EL0, is its
// creator's), so nothing here may touch errno or any thread-local: raw
// system calls only, and no sanitizer instrumentation.
//
// It gives up every privilege first: glibc makes setuid() and its kin act
// on every thread it knows of, and it does not know of this one, so a
// program that starts as root and drops to a user later would otherwise
// keep a thread with root's credentials in its address space. The calls
// act on this thread only (the kernel's credentials are per thread).
__attribute__((no_sanitize("address", "undefined"), noinline)) static void
fr_coarse_drop_privileges(void) {
  if (fr_raw_syscall4(SYS_geteuid, 0, 0, 0, 0) == 0) {
    const long nobody = 65534;
    fr_raw_syscall4(SYS_setgroups, 0, 0, 0, 0);
    fr_raw_syscall4(SYS_setresgid, nobody, nobody, nobody, 0);
    fr_raw_syscall4(SYS_setresuid, nobody, nobody, nobody, 0);
  }
  struct {
    uint32_t version;
    int pid;
  } header = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
  uint32_t none[6] = {0}; // effective, permitted, inheritable, twice
  fr_raw_syscall4(SYS_capset, (long)&header, (long)none, 0, 0);
}

__attribute__((no_sanitize("address", "undefined"), noinline)) static int
fr_coarse_loop(void *arg) {
  (void)arg;
  const struct timespec period = {0, FR_COARSE_PERIOD_NS};
  fr_coarse_drop_privileges();
  for (;;) {
    if (!__atomic_load_n(&fr_coarse_wanted, __ATOMIC_ACQUIRE)) {
      fr_raw_syscall4(SYS_futex, (long)&fr_coarse_wanted, FUTEX_WAIT_PRIVATE, 0,
                      0);
      continue;
    }
    uint32_t s = __atomic_load_n(&fr_coarse_seq, __ATOMIC_RELAXED) + 1;
    if (!s)
      s = 1; // 0 means "never ticked"
    // The time first, then the tick that says it is there.
    __atomic_store_n(&fr_coarse_ring[s % FR_COARSE_RING], fr_ticks(),
                     __ATOMIC_RELAXED);
    __atomic_store_n(&fr_coarse_seq, s, __ATOMIC_RELEASE);
    fr_raw_syscall4(SYS_nanosleep, (long)&period, 0, 0, 0);
  }
  return 0;
}

static int fr_coarse_start(void) {
  void *stack = mmap(NULL, FR_COARSE_STACK_BYTES, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    return -1;
  // The new thread starts with its creator's signal mask: every signal held,
  // so that no handler of the program ever runs on it.
  sigset_t all, was;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &was);
  int saved_errno = errno;
  int tid = clone(fr_coarse_loop, (uint8_t *)stack + FR_COARSE_STACK_BYTES,
                  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                      CLONE_THREAD | CLONE_SYSVSEM,
                  NULL);
  errno = saved_errno;
  pthread_sigmask(SIG_SETMASK, &was, NULL);
  if (tid <= 0) {
    munmap(stack, FR_COARSE_STACK_BYTES);
    return -1;
  }
  return 0;
}
#endif

void fr_coarse_want(uint32_t counted_sites) {
  __atomic_store_n(&fr_coarse_wanted, counted_sites, __ATOMIC_RELEASE);
#if FR_COARSE_SUPPORTED
  if (!counted_sites)
    return;
  if (!__atomic_exchange_n(&fr_coarse_started, 1, __ATOMIC_ACQ_REL)) {
    if (fr_coarse_start() != 0)
      return; // counted calls are counted, not timed
  }
  int saved_errno = errno;
  fr_raw_syscall4(SYS_futex, (long)&fr_coarse_wanted, FUTEX_WAKE_PRIVATE, 1, 0);
  errno = saved_errno;
#endif
}

// A fork child has no clock thread: the next site counted starts one. The
// ticks it published stay (they are times, still true).
void fr_coarse_after_fork_child(void) {
  fr_coarse_started = 0;
  if (__atomic_load_n(&fr_coarse_wanted, __ATOMIC_RELAXED))
    fr_coarse_want(fr_coarse_wanted);
}
