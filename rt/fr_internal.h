// SPDX-License-Identifier: Apache-2.0
// fr_internal.h: the runtime's shared state: per-thread writer state, chunks,
// the chunk pool, thread records, and the functions the rt/ files offer each other.
//
// Concurrency (the whole runtime in one paragraph; each file repeats its part):
// every chunk has at most one writer, the thread whose fr_tls.chunk it is. The
// writer appends events and publishes its write position (fr_tls.pos) with
// release ordering; a snapshot reads it with acquire ordering and copies only
// bytes below it. Chunks change hands (current -> sealed -> recycled) only under
// fr_state.lock, which the hot path never takes: a thread takes it once per
// chunk it fills, at thread start, at thread exit, and (only while the pool
// is short of chunks) when it parks at a blocking call. A recycled chunk's
// generation counter (odd while being reset) tells a snapshot that copied it
// without the lock that its copy is stale. A hook that interrupts another hook
// on the same thread (a signal handler running instrumented code) sees
// fr_tls.busy set and drops its event, counting it as lost.
//
// Memory: the pool never grows past max_bytes. Besides it the recorder keeps
// a fixed part (the bookkeeping arrays, two scratch chunks for snapshots) and,
// per thread that ever recorded, FR_THREAD_STATE_BYTES of state (its fr_thread
// record and its two snapshot list entries); docs/format.md, "Memory".
#ifndef FR_INTERNAL_H
#define FR_INTERNAL_H

#include "fr.h"
#include "fr_codec.h"
#include "fr_format.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#define FR_INTERNAL __attribute__((visibility("hidden")))
#define FR_API __attribute__((visibility("default")))
#define FR_LIKELY(x) __builtin_expect(!!(x), 1)

// Reads of a seqlock's data (a chunk or a parked record another thread may
// be rewriting), copied and then checked against its generation: a race by
// design, which the copy detects and drops. Under TSan (make check-tsan,
// make stress-tsan) TSan is told to ignore those reads; elsewhere nothing.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FR_TSAN 1
#endif
#endif
#ifdef FR_TSAN
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
#define FR_SEQLOCK_READ_BEGIN() AnnotateIgnoreReadsBegin(__FILE__, __LINE__)
#define FR_SEQLOCK_READ_END() AnnotateIgnoreReadsEnd(__FILE__, __LINE__)
#else
#define FR_SEQLOCK_READ_BEGIN() ((void)0)
#define FR_SEQLOCK_READ_END() ((void)0)
#endif
#define FR_UNLIKELY(x) __builtin_expect(!!(x), 0)

// The hooks' calling convention, which the plugin's calls use too
// (plugin/FrAbi.h): on x86-64 and AArch64 a hook saves every register it
// uses, so instrumented code need not save its own around a call that is
// almost never taken. Out-of-line helpers of the hooks use it as well,
// and all of them return void (see fr_busy_clear_stale: LLVM 14 loses a
// preserve_most function's return value).
#if defined(__x86_64__) || defined(__aarch64__)
#define FR_HOOK_CC __attribute__((preserve_most))
#else
#define FR_HOOK_CC
#endif

// ---- Chunks ------------------------------------------------------------------

struct fr_pool;

// A chunk in memory: this header, then event bytes up to the chunk's end.
enum fr_chunk_state {
  FR_CHUNK_UNUSED = 0, // never handed out: its pages were never touched
  FR_CHUNK_FREE = 1,
  FR_CHUNK_SEALED = 2, // in the sealed ring: full, parked, or its thread exited
  FR_CHUNK_HELD = 3,   // some live thread's current chunk
};

struct fr_chunk {
  uint32_t gen;  // odd while the chunk is being reset (seqlock for snapshots)
  uint32_t index; // in its pool
  struct fr_pool *pool;
  uint32_t state; // enum fr_chunk_state, changed under fr_state.lock
  uint32_t reserved;
  uint64_t epoch; // recorder start this chunk's events belong to
  struct fr_chunk_header hdr; // as it will appear in a snapshot
  uint8_t data[];
};

// ---- Threads -----------------------------------------------------------------

enum fr_tls_state { FR_TLS_NEW = 0, FR_TLS_LIVE = 1, FR_TLS_EXITED = 2 };

// The overhead budget's account of a thread (fr_budget.c): the events it
// may still record (negative: it is over its budget), the events charged
// and the ticks that passed since the bucket was last full, and the bytes
// per event of what it charges at its last count, in 1/256ths (0: not
// counted yet), with the charges estimated from that since.
struct fr_budget_bucket {
  int64_t tokens;
  uint64_t spent, elapsed;
  uint32_t density, estimated;
};

#define FR_WATCH_DEPTH 8 // nested timed calls (watched, counted) tracked
#define FR_COUNTED_SLOTS 4 // sites counted at a time (fr_counted.c)

// Per-thread writer state: initial-exec TLS, so the hot path reaches it with one
// %fs-relative access and no call to __tls_get_addr.
struct fr_tls {
  uint8_t *pos;   // next byte to write; published with release for snapshots
  uint8_t *limit; // where the hot path goes to the slow path: chunk_end, or
                  // before it where the overhead budget looks at the chunk so
                  // far; NULL forces it (no chunk yet, recorder stopped or
                  // restarted)
  uint8_t *chunk_end; // last position with room for a whole event
  uint64_t last_ticks;
  // 0, or the stack pointer where a hook (or the runtime) began its work on
  // this thread (fr_busy_mark), or FR_BUSY_BORROWED.
  uintptr_t busy;
  uint32_t state; // enum fr_tls_state
  uint32_t reserved;
  // Events dropped since the last chunk switch, by cause: a hook that ran
  // while another hook of this thread was writing (a signal handler), and
  // no space (the pool had no chunk for this thread). Only this thread
  // writes them; a snapshot reads them (relaxed) to report what is pending.
  uint64_t lost_reentrant;
  uint64_t lost_no_space;
  // A thread without a chunk retries for one only from retry_ticks on, the
  // wait doubling from FR_BACKOFF_MIN_TICKS to FR_BACKOFF_MAX_TICKS: its
  // events meanwhile cost a counter (and every FR_BACKOFF_LOOK_EVERY-th a
  // clock read), never the lock.
  uint64_t retry_ticks;
  uint64_t backoff_ticks;
  struct fr_chunk *chunk;
  struct fr_thread *thread;
  // Condition triggers (fr_trigger.c): when the current lock wait and
  // blocking call began, and the watched functions this thread is in.
  uint64_t wait_began, call_began;
  int64_t call_arg; // a muted blocking site's argument, recorded if slow
  // The same of a wait or call that a signal handler interrupted, while the
  // handler's own wait or call is in the slots above: put back when that
  // ends, so the interrupted one is still timed (one level of nesting).
  uint64_t wait_began_outer, call_began_outer;
  int64_t call_arg_outer;
  // The last lock object recorded in this chunk: the next one is written as
  // a zigzag delta from it (one byte for the same lock again).
  uint64_t last_object;
  // The overhead budget (fr_budget.c): the thread's token bucket, when it
  // was last refilled, and the bytes of the current chunk charged so far.
  struct fr_budget_bucket budget;
  uint64_t budget_refilled; // 0: the thread's bucket has not started
  uint32_t budget_charged;
  uint32_t budget_rearms_seen; // fr_budget.c's re-arm round at its last look
  // Calls being timed: of watched functions (since: their entry event) and
  // of counted ones (since: the clock at their entry), with where their
  // hooks ran on the stack (sp), which tells the calls a longjmp or an
  // exception left from those still running (fr_counted.h). Calls deeper
  // than FR_WATCH_DEPTH are counted in watch_overflow.
  uint32_t watch_depth, watch_overflow;
  uint32_t watch_site[FR_WATCH_DEPTH];
  uint64_t watch_since[FR_WATCH_DEPTH];
  uintptr_t watch_sp[FR_WATCH_DEPTH];
  // The counted tier (fr_counted.c): calls counted since the last
  // FR_EXT_COUNTED, per slot of fr_counted_sites, and the site they were
  // counted for; and the calls written out since the budget's last look,
  // which charges them (fr_budget.c).
  uint32_t counted_site[FR_COUNTED_SLOTS];
  uint32_t counted_calls[FR_COUNTED_SLOTS];
  uint64_t counted_unbilled;
};

extern __thread struct fr_tls fr_tls __attribute__((tls_model("initial-exec")));
// Its size, as documented (docs/format.md, "Memory"): static TLS, so every
// thread of the program has it, recording or not.
#define FR_TLS_BYTES 408
_Static_assert(sizeof(struct fr_tls) <= FR_TLS_BYTES, "the documented TLS");

// What a thread was about to block in when it gave its chunk back (it
// parked: fr_thread_park): a snapshot taken after that chunk was recycled
// still shows the thread blocked there.
struct fr_parked {
  uint32_t seq;   // odd while its thread rewrites it (a seqlock: snapshots
                  // read it under fr_state.lock, the thread writes without)
  uint32_t valid; // parked and not awake since
  uint32_t site;
  uint32_t kind;    // enum fr_site_event
  uint32_t nfields;
  uint64_t a, b;    // the event's fields as the hook had them (a: raw object)
  uint64_t ticks;   // when the event was recorded
  struct fr_chunk *chunk; // the chunk it gave back, and its generation then
  uint32_t gen;           // (NULL: it had no chunk, the event was dropped)
};

// A registered thread, live or (when on the free list) reusable.
struct fr_thread {
  struct fr_thread *next; // live list or free list
  struct fr_tls *tls;     // valid while the thread is live
  uint32_t index;
  uint32_t tid;
  uint32_t chunks_written; // sequence number of the next chunk
  char name[16];
  uint64_t epoch; // the recorder start of this thread's last chunk
  struct fr_parked parked;
  void *altstack; // the alternate signal stack fr gave it, if any
};

// ---- The pool and global state -----------------------------------------------

// The window's size and min_age the runtime accepts: max_bytes must cut into
// at most 2^30 chunks of 64 KiB and fit the address space; min_age in ticks
// must fit 64 bits at any tick rate (30 days at 10 GHz is 2.6e16).
#define FR_MIN_MAX_BYTES (64ull << 10)
#define FR_MAX_MAX_BYTES (64ull << 40)
#define FR_MAX_MIN_AGE_NS (720ull * 3600 * 1000 * 1000 * 1000)

#define FR_BACKOFF_MIN_TICKS (1ull << 15) // ~10 us at 3 GHz
#define FR_BACKOFF_MAX_TICKS (1ull << 28) // ~100 ms
#define FR_BACKOFF_LOOK_EVERY 16

// What a snapshot captured of one chunk under the lock, to copy it without.
struct fr_snapshot_entry {
  struct fr_chunk *chunk;
  uint32_t gen;  // the chunk's generation when captured
  uint32_t live; // a live thread's current chunk (its name is re-read)
  struct fr_chunk_header hdr; // event_bytes = committed bytes when captured
};

// A live thread without a chunk in a snapshot (none now, or events it dropped
// since its current one began): a short chunk the snapshot makes for it from
// its state, listed under the lock and written without.
#define FR_BARE_EVENT_BYTES 80
struct fr_bare_entry {
  struct fr_chunk_header hdr;
  uint32_t len;
  uint8_t events[FR_BARE_EVENT_BYTES];
};

struct fr_pool {
  uint32_t chunk_size;
  uint32_t base_chunks; // max_bytes / chunk_size: all the pool ever has
  uint32_t high_water;  // chunks [0, high_water) were handed out at least once
  // Chunks [0, populated) were faulted in ahead of use (or handed out, where
  // the kernel cannot populate); populated >= high_water.
  uint32_t populated;
  uint8_t *base;        // base_chunks * chunk_size, one mapping, touched lazily
  uint32_t *free_stack;
  uint32_t free_count;
  uint32_t *sealed; // ring of sealed chunk indices, oldest first
  uint32_t sealed_head;
  uint32_t sealed_count;
  uint8_t *scratch; // one chunk's worth, for snapshots
  struct fr_snapshot_entry *entries; // base_chunks of them, for snapshots
  uint8_t *crash_scratch; // the same again for a crash dump
  struct fr_snapshot_entry *crash_entries;
};

struct fr_state {
  pthread_mutex_t lock; // chunks changing hands, thread list, pool
  struct fr_pool *pool; // current pool, or NULL before the first start
  struct fr_thread *live; // registered live threads
  struct fr_thread *free_threads;
  uint32_t next_thread_index;
  uint64_t epoch;        // bumped at every start
  uint64_t min_age_ticks;
  // Events no chunk reports: hooks that ran after their thread's exit, and
  // what a thread dropped and could not report before it exited.
  uint64_t lost_unreported;
  // A thread went without a chunk: threads give theirs back when they
  // block (fr_thread_park) until enough is free again.
  uint32_t pressure;
  uint32_t live_count;
  // The crash trigger is on: every thread that records gets an alternate
  // signal stack (fr_altstack.c).
  uint32_t crash_stacks;
  // Snapshot lists of live threads without a chunk, one for ordinary
  // snapshots and one for a crash dump, grown with live_count.
  struct fr_bare_entry *bare, *crash_bare;
  uint32_t bare_capacity;
  uint32_t bare_readers; // snapshots between their listing and their end
  pthread_key_t exit_key; // its destructor seals an exiting thread's chunk
};

// Per-thread state beyond the pool, as documented (docs/format.md, "Memory"):
// the thread record and two snapshot list entries (ordinary and crash) in
// lists of at most twice the live threads, rounded up. The test of the bound
// (test/e2e/memory-threads.c) uses the same figure.
#define FR_THREAD_STATE_BYTES 1024

static inline struct fr_chunk *fr_pool_chunk(const struct fr_pool *pool,
                                             uint32_t index) {
  return (struct fr_chunk *)(pool->base + (uint64_t)index * pool->chunk_size);
}

extern struct fr_state fr_state FR_INTERNAL;

// The byte the instrumented code tests before calling a hook.
extern uint8_t __fr_active;

// fr_mem.c: anonymous memory, remembered for fr_memory_bytes.
FR_INTERNAL void *fr_map(uint64_t bytes);
// A mapping touched only in its first *units_used units of unit_bytes each
// (the pool's chunks): fr_memory_bytes asks the kernel about that part only.
FR_INTERNAL void *fr_map_prefix(uint64_t bytes, const uint32_t *units_used,
                                uint32_t unit_bytes);

// fr_clock.c
#include "fr_clock.h"

// fr_pool.c: all with fr_state.lock held.
FR_INTERNAL struct fr_pool *fr_pool_create(uint64_t max_bytes);
FR_INTERNAL void fr_pool_reset(struct fr_pool *pool);
FR_INTERNAL void fr_pool_retire(struct fr_pool *pool);
FR_INTERNAL struct fr_chunk *fr_pool_take(struct fr_pool *pool, uint64_t now);
FR_INTERNAL void fr_pool_seal(struct fr_pool *pool, struct fr_chunk *chunk);
// A held chunk whose events are not wanted (a window that ended): free again.
FR_INTERNAL void fr_pool_free(struct fr_pool *pool, struct fr_chunk *chunk);
// Chunks a thread could still get without waiting for one to be sealed.
FR_INTERNAL uint32_t fr_pool_available(const struct fr_pool *pool);
// Debug builds (FR_DEBUG): aborts with a message unless every chunk is in
// exactly one place (free, sealed, or one live thread's) and the counts add
// up. A no-op otherwise.
FR_INTERNAL void fr_pool_check(const struct fr_pool *pool);

// fr_altstack.c, with fr_state.lock held, on the thread itself: an
// alternate signal stack for it (NULL: it has one, or none could be had),
// and giving that stack back at its exit.
FR_INTERNAL void *fr_altstack_attach(void);
FR_INTERNAL void fr_altstack_detach(void *stack);

// fr_thread.c
// Where the thread's next event goes (NULL: nowhere, or not to be written).
// tag: the event's, if it is a function's entry or exit, else 0: an entry of
// a function the budget's check on the way mutes is not written, as its exit
// will not be.
FR_INTERNAL uint8_t *fr_thread_slow_reserve(struct fr_tls *t, uint32_t tag);
// Brings the thread's next budget probe forward to its next event (on the
// owning thread; a kick already pending wins).
FR_INTERNAL void fr_thread_probe_soon(struct fr_tls *t);
FR_INTERNAL void fr_thread_init_once(void);
FR_INTERNAL void fr_thread_kick_all(void); // force every thread's slow path
FR_INTERNAL void fr_read_thread_name(uint32_t tid, char name[16]);
// In a fork child, with fr_state.lock held: only the calling thread is live.
FR_INTERNAL void fr_thread_after_fork_child(void);
// Gives the calling thread's chunk back while the pool is short (a thread
// went without one), called by a hook that just recorded a wait or a
// blocking call's start with the thread's busy flag set; the event's fields
// as the hook had them. Whatever the thread records next takes a chunk anew.
FR_INTERNAL void fr_thread_park(struct fr_tls *t, uint32_t site,
                                enum fr_site_event kind, unsigned nfields,
                                uint64_t a, uint64_t b, uint64_t ticks);
// The same for a thread without a chunk whose wait or call event was just
// dropped: noted in its state, so that a snapshot still shows where it
// blocks. No lock.
FR_INTERNAL void fr_thread_note_blocked(struct fr_tls *t, uint32_t site,
                                        enum fr_site_event kind,
                                        unsigned nfields, uint64_t a,
                                        uint64_t b);

// fr_sites.c
struct fr_module;
// Around fork: 0 before (takes the registry's lock), 1 after (releases it).
FR_INTERNAL void fr_sites_fork(int after);
FR_INTERNAL const struct fr_module *fr_sites_first(void);
FR_INTERNAL const struct fr_module *fr_sites_next(const struct fr_module *m);
FR_INTERNAL uint32_t fr_sites_count(const struct fr_module *m);
FR_INTERNAL void fr_sites_get(const struct fr_module *m, uint32_t i,
                              struct fr_site_record *rec, const char **function,
                              const char **file, const char **callee);
// Every module's guards to FR_GUARD_ON, clearing what was muted (on), or to 0.
FR_INTERNAL void fr_sites_arm(int on);
// The registry's lock, for a snapshot's passes over the site table and for
// muting (which must not wait: 0 when it is taken).
FR_INTERNAL int fr_sites_try_lock(void);
FR_INTERNAL void fr_sites_lock(void);
FR_INTERNAL void fr_sites_unlock(void);
// With the lock held: mutes a site of a module that has guards (not a watched
// function, nor anything while the recorder is stopped), as how says.
enum fr_mute_how {
  FR_MUTE_OUTRIGHT, // muted outright, a counted site too
  FR_MUTE_COUNT,    // counted (a function, and a slot of the counted tier
                    // free), or kept counted
  FR_MUTE_KEEP,     // a counted site kept counted, any other muted outright
};
enum fr_mute_result {
  FR_MUTE_REFUSED = -1,      // cannot be: those, and user annotations
  FR_MUTE_ALREADY = 0,       // muted already, not counted
  FR_MUTE_MUTED = 1,         // muted outright now
  FR_MUTE_COUNTED = 2,       // counted now
  FR_MUTE_STILL_COUNTED = 3, // counted already, and still asked to be
};
FR_INTERNAL enum fr_mute_result fr_sites_mute(uint32_t site,
                                               enum fr_mute_how how);
// With the lock held: records a muted site's events again (FR_GUARD_ON, its
// FR_SITE_MUTED flag cleared); 1 if it was muted, its module is loaded and
// the recorder runs.
FR_INTERNAL int fr_sites_rearm(uint32_t site);

// A crash's fault (fr_fault.c; the header's crash_* fields).
struct fr_fault {
  uint32_t flags; // enum fr_crash_flag
  int32_t code;
  uint64_t addr, pc, module_pc;
  char module[FR_CRASH_MODULE_SIZE];
};
FR_INTERNAL uintptr_t fr_fault_pc(const void *uctx);
FR_INTERNAL void fr_fault_describe(int sig, const siginfo_t *si,
                                   const void *uctx, struct fr_fault *out);

// What fired a snapshot, as the file header records it.
struct fr_trigger_info {
  uint32_t trigger; // enum fr_trigger
  uint32_t detail;  // enum fr_condition, or the signal number
  uint32_t thread;  // thread_index, 0 when not known
  uint32_t site;
  uint64_t ns, threshold_ns;
  const struct fr_fault *fault; // a crash's, or NULL
};

// fr_snapshot.c. crash: async-signal-safe mode for a crash handler: its own
// buffers (it may interrupt an ordinary snapshot) and no waiting for a lock
// the crashed thread may hold.
FR_INTERNAL int fr_snapshot_write(fr_write_fn write, void *ctx,
                                  const struct fr_trigger_info *info,
                                  int crash);

// The program's pid, as snapshots name it (header, %p, /proc paths): a
// snapshot writer forked from the program (fr_trigger.c) sets
// fr_identity_pid to its parent's.
extern int fr_identity_pid FR_INTERNAL;
static inline int fr_program_pid(void) {
  return fr_identity_pid ? fr_identity_pid : (int)getpid();
}

// fr_crc32c.c
FR_INTERNAL uint32_t fr_crc32c(uint32_t crc, const void *data, uint64_t len);

// fr_recorder.c
FR_INTERNAL const fr_config *fr_active_config(void);
// The FR_OPTIONS recorder, in static storage (fr_new allocates; a module
// constructor must not): one per process, never freed.
FR_INTERNAL fr_recorder *fr_recorder_static(const fr_config *config);
extern struct fr_clock_anchor fr_start_anchor FR_INTERNAL; // of the last start

// fr_recorder.c: write_to with the trigger to record in the file.
FR_INTERNAL int fr_write_to_trigger(fr_recorder *r, fr_write_fn write,
                                    void *ctx,
                                    const struct fr_trigger_info *info);
// fr_recorder.c: the crash handler's write_to: no locks, no waiting; a crash
// during another snapshot still writes its own.
FR_INTERNAL int fr_write_crash(fr_write_fn write, void *ctx,
                               const struct fr_trigger_info *info);
// fr_recorder.c: a fr_write_fn for a file descriptor (ctx points to an int).
FR_INTERNAL int fr_write_fd(void *ctx, const void *data, size_t len);

// fr_trigger.c: snapshots on a signal, on a crash, and when a condition
// fires. The thresholds are in ticks, UINT64_MAX while off (or until the
// clock is calibrated); hooks compare against them and call
// fr_condition_fired, which is async-signal-safe.
struct fr_trigger_config {
  int signal; // 0: no signal trigger
  int crash;
  uint64_t lock_wait_ns, blocking_ns, slow_ns; // 0: off
  char slow_function[128];
  uint64_t rate_ns;   // at least this long between triggered snapshots
  uint32_t max_dumps; // triggered snapshots per run
};
extern uint64_t fr_cond_lock_ticks FR_INTERNAL;
extern uint64_t fr_cond_call_ticks FR_INTERNAL;
extern uint64_t fr_watch_mask FR_INTERNAL; // bit (site & 63) of watched sites
// Watched and counted sites' bits: the function hooks' detour (fr_hooks.c).
extern uint64_t fr_detour_mask FR_INTERNAL;
// fr_budget.c: FR_SLOW_CALL_NS in ticks (UINT64_MAX until calibrated).
extern uint64_t fr_slow_call_ticks FR_INTERNAL;
// Setup installs the signal handlers and needs no allocation; the thread
// that writes condition snapshots starts apart, outside module constructors.
FR_INTERNAL int fr_trigger_setup(fr_recorder *r, const char *output,
                                 const struct fr_trigger_config *cfg);
FR_INTERNAL void fr_trigger_start_dumper(void);
// At exit: one line if triggered snapshots were not taken.
FR_INTERNAL void fr_trigger_report_dropped(void);
// Reaps the snapshot writers signal handlers forked; wait: until each has
// finished (at exit: the program's snapshots are whole when it is gone).
FR_INTERNAL void fr_trigger_reap_writers(int wait);

// In a fork child (fr_recorder.c's handler): what each part starts over.
FR_INTERNAL void fr_trigger_after_fork_child(void);
FR_INTERNAL void fr_output_after_fork_child(void);
FR_INTERNAL void fr_budget_after_fork_child(void);
// fr_user.c: its registration lock around fork, as fr_sites_fork.
FR_INTERNAL void fr_user_fork(int after);
FR_INTERNAL void fr_condition_fired(enum fr_condition condition, uint32_t site,
                                    uint64_t ticks);
FR_INTERNAL void fr_watch_enter(uint32_t site, uintptr_t sp);
FR_INTERNAL void fr_watch_exit(uint32_t site);
// fr_sites.c calls this for each function site it registers.
FR_INTERNAL void fr_watch_consider(uint32_t site, const char *function);
// Is site a watched function (never muted: the condition needs its events)?
FR_INTERNAL int fr_is_watched(uint32_t site);

// fr_counted.c: the counted tier, with the site registry's lock held for
// add (1: counted from now; 0: no slot free), remove and clear.
#define FR_COUNT_FLUSH_CALLS 4096 // a thread's count goes into its chunk
extern uint32_t fr_counted_sites[FR_COUNTED_SLOTS] FR_INTERNAL; // 0: free
FR_INTERNAL int fr_counted_add(uint32_t site);
FR_INTERNAL void fr_counted_remove(uint32_t site);
FR_INTERNAL void fr_counted_clear(void);
// The rate (events per tick) a counted site was judged at when the budget
// chose to count it, and the sum of the other counted sites' rates.
FR_INTERNAL void fr_counted_set_rate(uint32_t site, double rate);
FR_INTERNAL double fr_counted_rate_besides(uint32_t site);
// Appends the thread's pending counts as FR_EXT_COUNTED events (stamped at
// its last event) and clears them; at most FR_COUNTED_PENDING_BYTES.
#define FR_COUNTED_PENDING_BYTES (FR_COUNTED_SLOTS * 14)
FR_INTERNAL uint8_t *fr_counted_put_pending(struct fr_tls *t, uint8_t *p);
// Drops the thread's pending counts and what the budget has not charged:
// calls made before a restart, at the thread's first chunk of a new window.
FR_INTERNAL void fr_counted_forget(struct fr_tls *t);
// The calling thread's pending counts into its chunk, before it takes a
// snapshot (the exit snapshot, fr_write_to): what it counted is in it.
FR_INTERNAL void fr_counted_flush_own(void);
// fr_counted.c: the stack is back at a frame of site (an exception caught,
// a longjmp to a setjmp there; __fr_func_resume, sp its stack pointer):
// the timed calls it left are dropped.
FR_INTERNAL void fr_timed_resume(struct fr_tls *t, uint32_t site,
                                 uintptr_t sp);

// fr_budget.c: the overhead budget. start: with fr_state.lock held;
// calibrate: once the tick rate is known; check: on a writer thread at a
// probe or whose chunk is full, before it takes the next one; thread_exit:
// on a thread that is leaving, before its exit event. Both return the sites
// they muted or re-armed (into out), for the thread to record.
#define FR_BUDGET_MAX_NOTES 32 // sites one check may mute or re-arm
#define FR_BUDGET_EXIT_NOTES 2 // room at a thread's exit (two whole events)
struct fr_budget_note {
  uint32_t kind;  // FR_EXT_MUTED or FR_EXT_REARMED
  uint32_t site;
  uint64_t value; // MUTED: its events per second; REARMED: ms it was muted
};
FR_INTERNAL void fr_budget_start(const fr_config *cfg,
                                 const struct fr_clock_anchor *start);
FR_INTERNAL void fr_budget_calibrate(double tick_hz);
FR_INTERNAL int fr_budget_is_set(void); // a budget is set (calibrated or not)
// How long a site stays muted before it is recorded again (doubling each
// time the budget mutes it again); 0: until the next start. FR_OPTIONS rearm=.
FR_INTERNAL void fr_budget_set_rearm(uint64_t ns);
// Which functions it mutes are counted (fr_counted.c). FR_OPTIONS counted=.
enum fr_counted_mode {
  FR_COUNTED_CHEAP = 0, // those whose counting takes a quarter of the budget
                        // or less
  FR_COUNTED_ALL = 1,   // every muted function while a slot is free
  FR_COUNTED_NONE = 2,  // none: muted outright
};
FR_INTERNAL void fr_budget_set_counted(int mode);
FR_INTERNAL uint32_t fr_budget_check(struct fr_tls *t,
                                     struct fr_budget_note out[FR_BUDGET_MAX_NOTES]);
FR_INTERNAL uint32_t fr_budget_thread_exit(struct fr_tls *t,
                                           struct fr_budget_note out[FR_BUDGET_EXIT_NOTES]);

// fr_env.c
FR_INTERNAL void fr_env_init(void);

// fr_process.c: whether this copy of the runtime is the process's recorder
// (the one the dynamic linker binds fr's entry points to); a copy that is
// not stands down. fr_process_refuse_module says, once, that a module bound
// to a copy standing down is not recorded (module_code: any address in it).
FR_INTERNAL int fr_process_is_recorder(void);
FR_INTERNAL void fr_process_refuse_module(const void *module_code);
// fr_sites.c: this copy's __fr_register_module.
FR_INTERNAL void fr_register_module_here(const struct fr_site_desc *sites,
                                         uint32_t count, uint32_t *base_out,
                                         uint8_t *guards);

// fr_output.c: a snapshot of r into a new file from the path template; one
// line on stderr and no file left behind on failure. 0 on success.
FR_INTERNAL int fr_output_write(fr_recorder *r, const char *tmpl,
                                const struct fr_trigger_info *info);
// The same from a signal handler (a crash, or the snapshot signal when there
// is no dumper thread): async-signal-safe.
FR_INTERNAL int fr_output_write_crash(const char *tmpl,
                                      const struct fr_trigger_info *info);
// The same with the %n the caller took (a forked writer's number is taken
// in the program, whose count goes on).
FR_INTERNAL unsigned fr_output_take_sequence(void);
FR_INTERNAL int fr_output_write_crash_numbered(const char *tmpl,
                                               const struct fr_trigger_info *info,
                                               unsigned seq);

// v in decimal, at least width digits, into out (no NUL); returns the length.
// Async-signal-safe: crash-time file names and /proc paths use it.
static inline size_t fr_decimal(uint64_t v, int width, char out[24]) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v || n < width);
  for (int i = 0; i < n; i++)
    out[i] = digits[n - 1 - i];
  return (size_t)n;
}

// fr_tls.busy: 0; the stack pointer where a hook or the runtime began its
// work on this thread (so that a mark left by a hook that a signal handler
// siglongjmp()ed out of can be told from a handler running inside it:
// fr_busy_is_stale); or FR_BUSY_BORROWED: a vfork child runs on this
// thread's state until it execs or exits, and its hooks drop their events
// without counting them.
#define FR_BUSY_BORROWED 2

static inline __attribute__((always_inline)) uintptr_t fr_busy_mark(void) {
  uintptr_t sp;
#if defined(__x86_64__)
  __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
  __asm__ volatile("mov %0, sp" : "=r"(sp));
#else
  sp = (uintptr_t)__builtin_frame_address(0);
#endif
  return sp;
}

// fr_hooks.c: a hook found busy set. The mark is stale when this hook runs
// above the frame that set it (that frame is gone: a signal handler
// interrupted it and siglongjmp()ed out) on the thread's own stack; then it
// is cleared. A handler nested inside the hook runs below the mark, or on the
// alternate signal stack: the mark stays, and the event is dropped.
// It returns nothing, and no function of the hooks' convention may return a
// value: LLVM 14 saves and restores RAX in a preserve_most function that
// clobbers it, return value included, so the caller would get back its own
// RAX as the answer (it did: a handler's hooks, and a vfork child's, wrote
// into a chunk they did not own whenever the instrumented caller had 0 in
// RAX; test/triggers/busy-result.c).
FR_INTERNAL FR_HOOK_CC void fr_busy_clear_stale(struct fr_tls *t);

// Whether a hook must drop its event: the thread is inside fr already (a
// signal handler's hook, a vfork child's), after a stale mark is cleared.
static inline __attribute__((always_inline)) int
fr_busy_holds(struct fr_tls *t) {
  if (FR_LIKELY(!t->busy))
    return 0;
  fr_busy_clear_stale(t);
  return t->busy != 0;
}

// fr_state.lock on a thread that records: asynchronous signals are held
// while it is taken, so that a handler that siglongjmp()s out can never
// leave it locked (a handler's hooks would find the thread busy anyway).
// Faults stay deliverable: a crash in here is still a crash. Two system
// calls, paid once per chunk a thread fills (about 0.3 ns an event with
// 4 KiB chunks, less with larger ones).
static inline void fr_signals_hold(sigset_t *held) {
  sigset_t async;
  sigfillset(&async);
  sigdelset(&async, SIGSEGV);
  sigdelset(&async, SIGBUS);
  sigdelset(&async, SIGFPE);
  sigdelset(&async, SIGILL);
  sigdelset(&async, SIGTRAP);
  sigdelset(&async, SIGSYS);
  pthread_sigmask(SIG_BLOCK, &async, held);
}

static inline void fr_signals_release(const sigset_t *held) {
  pthread_sigmask(SIG_SETMASK, held, NULL);
}

static inline void fr_state_lock(sigset_t *held) {
  fr_signals_hold(held);
  pthread_mutex_lock(&fr_state.lock);
}

static inline void fr_state_unlock(const sigset_t *held) {
  pthread_mutex_unlock(&fr_state.lock);
  fr_signals_release(held);
}

// The calling thread enters the runtime where it takes a lock that a hook's
// slow path also takes (fr_start, fr_stop, a snapshot, fork): a signal
// handler that runs instrumented code on this thread meanwhile finds it busy
// and drops its events (counted), instead of waiting forever for a lock its
// own thread holds. Returns what to restore.
static inline uintptr_t fr_busy_enter(void) {
  uintptr_t was = fr_tls.busy;
  fr_tls.busy = fr_busy_mark();
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  return was;
}

static inline void fr_busy_leave(uintptr_t was) {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  fr_tls.busy = was;
}

// Both at once, for the API's entries into the runtime (start, stop, fork):
// the thread marked busy and asynchronous signals held until it leaves.
struct fr_entry {
  uintptr_t was_busy;
  sigset_t held_signals;
};

static inline void fr_runtime_enter(struct fr_entry *e) {
  e->was_busy = fr_busy_enter();
  fr_signals_hold(&e->held_signals);
}

static inline void fr_runtime_leave(const struct fr_entry *e) {
  fr_signals_release(&e->held_signals);
  fr_busy_leave(e->was_busy);
}

// A hook that found the thread busy (a signal handler's, inside another
// hook): one more event dropped. Only this thread writes the counter; a
// snapshot reads it.
static inline void fr_count_reentrant(struct fr_tls *t) {
  if (t->busy == FR_BUSY_BORROWED)
    return; // a vfork child's: not this thread's events
  __atomic_store_n(&t->lost_reentrant, t->lost_reentrant + 1, __ATOMIC_RELAXED);
}

// fr_thread.c: a parked thread records again (out of line: rare; with the
// hooks' convention, so that callers save nothing for it).
FR_INTERNAL FR_HOOK_CC void fr_thread_unpark(struct fr_tls *t);

// A thread without space that is backing off drops its event here, at the
// cost of a counter and every FR_BACKOFF_LOOK_EVERY-th event a clock read,
// inlined before the slow path's call so that the hooks' preserve_most
// callers save no registers for it. 1: dropped.
static inline __attribute__((always_inline)) int
fr_backing_off(struct fr_tls *t) {
  if (FR_LIKELY(!t->retry_ticks) || t->chunk || t->state != FR_TLS_LIVE)
    return 0;
  uint64_t dropped = t->lost_no_space;
  if (!(dropped % FR_BACKOFF_LOOK_EVERY) && fr_ticks() >= t->retry_ticks)
    return 0; // time to try again
  __atomic_store_n(&t->lost_no_space, dropped + 1, __ATOMIC_RELAXED);
  if (FR_UNLIKELY(t->thread->parked.valid))
    fr_thread_unpark(t); // whatever it blocked in, it is back
  return 1;
}

// The frame of a hook that writes one event with a payload (site events,
// resume events; the function hooks' fr_record is this with a backing-off
// shortcut): returns 0, counting a drop, when the thread is busy (a signal
// handler's hook inside another); else marks it busy, then reads the
// position (in that order: a handler that records between the two would
// otherwise have its event overwritten), and sets *p to where the event
// goes, or NULL when it cannot be recorded. fr_event_end ends the frame.
static inline __attribute__((always_inline)) int
fr_event_begin(struct fr_tls *t, uint8_t **p) {
  if (FR_UNLIKELY(fr_busy_holds(t))) {
    fr_count_reentrant(t);
    return 0;
  }
  t->busy = fr_busy_mark();
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  *p = t->pos;
  if (FR_UNLIKELY(*p >= __atomic_load_n(&t->limit, __ATOMIC_RELAXED)))
    *p = fr_thread_slow_reserve(t, 0);
  return 1;
}

static inline __attribute__((always_inline)) void
fr_event_end(struct fr_tls *t) {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  t->busy = 0;
}

// Event encoding (fr_put_varint, fr_put_event, ...) is include/fr_codec.h's,
// shared with the reader.

// Stamps an event's tag and tick delta at p with the time now (a time read
// earlier: no earlier than the thread's last event) and returns the position
// after them; *now_out gets the event's time. The caller owns the
// thread's chunk (fr_tls.busy is set) and has checked that an event fits.
static inline __attribute__((always_inline)) uint8_t *
fr_put_stamped_at(struct fr_tls *t, uint8_t *p, uint32_t tag, uint64_t now,
                  uint64_t *now_out) {
  uint64_t last = t->last_ticks;
  if (FR_UNLIKELY(now < last)) // a migration to a core whose counter lags
    now = last;
  // Stored atomically (a plain mov): a snapshot reads it from another thread.
  __atomic_store_n(&t->last_ticks, now, __ATOMIC_RELAXED);
  *now_out = now;
  return fr_put_event(p, tag, now - last);
}

static inline __attribute__((always_inline)) uint8_t *
fr_put_stamped(struct fr_tls *t, uint8_t *p, uint32_t tag, uint64_t *now_out) {
  return fr_put_stamped_at(t, p, tag, fr_ticks(), now_out);
}

// The payload of a sized extension event (fr_ext_is_sized) of two fields,
// a site and a value: a one-byte size (the two varints take at most 15
// bytes), then the fields. Returns the position after it.
static inline __attribute__((always_inline)) uint8_t *
fr_put_sized_pair(uint8_t *p, uint32_t site, uint64_t value) {
  uint8_t *size = p++;
  uint8_t *payload = p;
  p = fr_put_varint(p, site);
  p = fr_put_varint(p, value);
  *size = (uint8_t)(p - payload);
  return p;
}

// Stamps an event with no payload, appends it at p and publishes the new
// position.
static inline __attribute__((always_inline)) void
fr_stamp_event(struct fr_tls *t, uint8_t *p, uint32_t tag) {
  uint64_t now;
  p = fr_put_stamped(t, p, tag, &now);
  __atomic_store_n(&t->pos, p, __ATOMIC_RELEASE);
}

// fr_site_hooks.c: appends one FR_EV_SITE event (up to two fields, then len
// bytes of text) for the calling thread; its time, or 0 if not recorded.
// fr_user.c's annotations use it; the site hooks inline the same code.
FR_INTERNAL uint64_t fr_record_site_event(uint32_t site,
                                          enum fr_site_event kind,
                                          unsigned nfields, uint64_t a,
                                          uint64_t b, const char *text,
                                          size_t len);

#endif // FR_INTERNAL_H
