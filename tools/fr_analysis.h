// SPDX-License-Identifier: Apache-2.0
// fr_analysis.h: the statistics of a snapshot's calls, lock waits and holds,
// blocking calls, user tasks, regions and logs, and the budget's mutes and
// counts: what `frtool summary` and `frtool diff` print and the report's
// tables show. Fed by the one replay (fr_replay.h), which pairs the events
// and repairs the stack for every view alike.
//
// Pairs are never invented: an exit whose entry is before the window
// counts as a partial call (no duration); a call still running, or cut off
// by a chunk missing from its thread's sequence, is not timed; a call an
// unwinder or a longjmp left is timed to where the stack was seen back
// below it, unless its site was muted (then its end is unknown). A
// dropped-events marker keeps the stack, repaired at the first end that
// does not match it. A wait or call still open when the snapshot was taken
// is reported as blocked at the snapshot.
#ifndef FR_ANALYSIS_H
#define FR_ANALYSIS_H

#include "fr_reader.h"
#include "fr_replay.h"
#include "fr_stats.h"

struct fr_func_stats {
  uint32_t site;
  struct fr_dist inclusive; // ticks, every call
  // Ticks of the calls not inside another call of the same function: a
  // recursive function's time, counted once (the "total" column).
  uint64_t outer_total;
  uint64_t exclusive_total;
  uint64_t partial; // exits whose entry was before the window
  // The budget's counted tier (FR_EXT_COUNTED, FR_EXT_SLOW_CALL): calls
  // counted while it was muted, not timed, and of them the slow calls kept
  // (timed, in inclusive).
  uint64_t counted, slow_kept;
};

// Calls of a counted site on one thread (FR_EXT_COUNTED), in the window,
// and of them the slow ones kept (FR_EXT_SLOW_CALL).
struct fr_counted_stats {
  uint64_t key; // site << 32 | thread index
  uint32_t site, thread;
  uint64_t calls, slow;
};

#define FR_LOCK_MAX_THREADS 16
struct fr_lock_stats {
  uint64_t addr;
  uint32_t detail; // fr_lock_detail of the first site that used it
  uint32_t first_site;
  uint64_t acquisitions; // successful (cond: completed waits)
  uint64_t contended;    // had to wait
  uint64_t failed;       // trylock busy, timeouts, errors
  uint64_t signals;      // cond: signal + broadcast
  struct fr_dist wait;   // per acquisition, 0 when not contended
  struct fr_dist hold;
  uint32_t threads[FR_LOCK_MAX_THREADS];
  uint32_t thread_count; // distinct threads, counting past the array
};

struct fr_lock_site_stats {
  uint32_t site;
  uint64_t acquisitions, contended, failed;
  uint64_t addr; // the lock it took last
  uint32_t addr_count; // 1, or more when the site takes several locks
  struct fr_dist wait, hold;
};

struct fr_block_stats {
  uint64_t key; // site id or fd
  uint32_t site; // per fd: the site that used it first
  uint64_t errors;
  uint64_t partial; // returns whose call was before the window
  struct fr_dist duration;
};

struct fr_thread_stats {
  uint32_t index, tid;
  char name[16];
  uint64_t events;
  uint64_t dropped; // events its writers dropped, as its chunks report
  uint64_t first_ticks, last_ticks;
  uint64_t lock_wait, cond_wait, blocking; // ticks blocked in each
};

// User tasks and regions, by name (the name's site).
struct fr_user_stats {
  uint32_t site;
  uint32_t kind; // FR_USER_TASK or FR_USER_REGION
  struct fr_dist duration;
  uint64_t unfinished; // begun in the window, not ended in it
};

// A user task seen in the window: when it began and ended, if seen.
struct fr_task_seen {
  uint64_t id;
  uint32_t site;
  uint64_t begin, end; // 0: not seen
};

#define FR_RECENT_LOGS 10
struct fr_log_entry {
  uint64_t ticks;
  uint32_t thread, category; // category: its site
  uint64_t task;
  char text[FR_LOG_MAX_BYTES + 1];
};

// A site the overhead budget muted inside the window (FR_EXT_MUTED), or
// re-armed inside it after muting it before (FR_EXT_REARMED alone).
struct fr_mute {
  uint32_t site, thread;
  uint64_t per_second; // its events per second on that thread when muted
  uint64_t ticks;      // 0: muted before the window
  uint64_t rearmed;    // when it was recorded again; 0: not in the window
};


enum fr_blocked_kind { FR_BLOCKED_LOCK, FR_BLOCKED_COND, FR_BLOCKED_CALL };

// "Thread T was blocked on X from t1 to t2".
struct fr_blocked {
  uint32_t thread;
  uint32_t site;
  uint32_t kind; // enum fr_blocked_kind
  uint32_t open; // still blocked when the snapshot was taken
  uint64_t object; // lock or cond address, or the call's argument
  uint64_t begin, end; // ticks
};

struct fr_analysis {
  struct fr_func_stats *funcs;
  uint32_t func_count, func_cap;
  struct fr_lock_stats *locks;
  uint32_t lock_count, lock_cap;
  struct fr_lock_site_stats *lock_sites;
  uint32_t lock_site_count, lock_site_cap;
  struct fr_block_stats *block_sites;
  uint32_t block_site_count, block_site_cap;
  struct fr_block_stats *fds;
  uint32_t fd_count, fd_cap;
  struct fr_thread_stats *threads;
  uint32_t thread_count, thread_cap;
  // The longest blocked intervals (at most top_blocked), and every one still
  // open at the snapshot.
  struct fr_blocked *longest;
  uint32_t longest_count, top_blocked;
  struct fr_blocked *open;
  uint32_t open_count, open_cap;
  struct fr_user_stats *users;
  uint32_t user_count, user_cap;
  struct fr_task_seen *tasks;
  uint32_t task_count, task_cap;
  struct fr_counted_stats *counted; // per site and thread
  uint32_t counted_count, counted_cap;
  struct fr_mute *mutes; // rows, by site (after the replay)
  uint32_t mute_count, mute_cap;
  struct fr_map muted_sites; // the sites of the window's budget events
  struct fr_log_entry recent_logs[FR_RECENT_LOGS]; // the newest, oldest first
  uint32_t recent_log_count;
  uint64_t log_count;
  struct fr_map user_map, task_map;
  uint64_t events, partial_calls, gaps;
  // Frames closed where the stack was back at an outer frame (a catch, a
  // setjmp) without having recorded their exits.
  uint64_t unwound_frames;
  // The same for frames of sites the overhead budget muted while they ran.
  uint64_t muted_open_frames;
  uint64_t malformed_chunks; // decoding stopped at a malformed event
  uint64_t unknown_events; // of kinds a newer writer added: skipped
  uint32_t *func_by_site; // canonical site id -> funcs index (dense ids)
  uint32_t func_by_site_count;
  uint64_t first_ticks, last_ticks;
  struct fr_drops dropped; // what the chunks' drop reports add up to
  struct fr_map func_map, lock_map, lock_site_map, block_site_map, fd_map,
      counted_map;
  struct fr_analysis_replay *replay; // while it is fed
};
// Did the budget mute the site at some time in the window (or before it and
// it still was at the snapshot)?
int fr_analysis_site_muted(const struct fr_analysis *a,
                           const struct fr_site_info *si);

// Replays s into a: 0 on success, -1 when out of memory.
int fr_analyze(const struct fr_snapshot *s, uint32_t top_blocked,
               struct fr_analysis *a);

// The same in steps, to share a replay with another view: init, a replay
// that feeds fr_analysis_sink(a), finish (0, or -1 when out of memory).
int fr_analysis_init(const struct fr_snapshot *s, uint32_t top_blocked,
                     struct fr_analysis *a);
struct fr_replay_sink fr_analysis_sink(struct fr_analysis *a);
int fr_analysis_finish(struct fr_analysis *a);
void fr_analysis_free(struct fr_analysis *a);

#endif // FR_ANALYSIS_H
