// SPDX-License-Identifier: Apache-2.0
// fr_replay.h: the one replay of a snapshot's events, which every frtool
// view that pairs events consumes: summary and diff (fr_analysis.c), every
// export format and the report (cmd_export.c).
//
// Each thread's chunks are replayed in sequence order with one stack of
// open items: calls, lock and cond waits, blocking calls, user regions, and
// the slow calls of counted sites. The replay pairs each begin with its
// end, and repairs the stack the same way for every consumer:
//   - an end whose begin is before the window (or before a missing chunk)
//     ends an item that the replay begins at the first event it has of
//     that run of chunks (a pre-scan finds them), marked `early`;
//   - an end that matches an open item below the top ends the items above
//     it first (a longjmp or an exception left them), as "unwound";
//   - FR_EXT_RESUMED (the stack is back at a frame of a site) ends every
//     item above that site's innermost open frame, as unwound;
//   - a slow call of a counted site (FR_EXT_SLOW_CALL, written where it
//     ended) is begun where it began, before the first event after that;
//   - an end that matches nothing open is reported as unmatched;
//   - a chunk missing from a thread's sequence, or a malformed event, ends
//     the run: what is open then ends "cut" at its last event; the thread's
//     newest run ends at the snapshot (still running) or at its exit.
// Consumers see site ids made canonical: two sites with the same kind,
// function, file, line and callee (a static inline function instrumented in
// several translation units) are one site to the user.
//
// Memory is bounded by the call depth, the threads and the sites, and by
// the items open where runs begin and the slow calls (each found from one
// event of the file): not by the number of events. Several sinks can share one replay (the report
// feeds its timeline and summary's tables from one pass).
#ifndef FR_REPLAY_H
#define FR_REPLAY_H

#include "fr_reader.h"

#include <stdint.h>

// What an item (or, for ITEM_LOCK_OP and ITEM_USER_MARK, an instant) stands
// for.
enum item_kind {
  ITEM_FUNCTION,
  ITEM_WAIT,
  ITEM_COND,
  ITEM_CALL,
  ITEM_LOCK_OP,
  ITEM_REGION,    // a user region
  ITEM_USER_MARK, // a user task begin or end, or a log
  ITEM_DEEPER,    // folded stacks, report: every frame below MAX_SHOWN_DEPTH
  ITEM_MERGED,    // report: short slices of different kinds merged
  ITEM_MUTED,     // an instant: the overhead budget muted a site here
  ITEM_REARMED,   // an instant: and recorded it again from here
  ITEM_COUNTED,   // an instant: calls of a muted site counted (or, with
                  // none, counted from here instead of recorded)
  ITEM_KINDS
};

struct fr_replay_item {
  uint32_t kind, site; // enum item_kind: FUNCTION, WAIT, COND, CALL, REGION
  uint64_t begin;      // ticks
  // What its begin event carried (a lock, a cond and its mutex, a call's
  // argument, a region's task); none for early items.
  uint32_t nfields;
  uint64_t field[2];
  // Began before the events replayed: its begin is their first event's time.
  uint8_t early;
  uint8_t slow; // a counted site's slow call (FR_EXT_SLOW_CALL)
};

enum fr_replay_end {
  FR_REPLAY_ENDED,    // by its own end event
  FR_REPLAY_UNWOUND,  // an end below it, or a resume: left without an end
  FR_REPLAY_MUTED,    // the same, a call of a function the budget muted in
                      // the window (by any thread): its exit was not
                      // recorded, and may have come long before
  FR_REPLAY_CUT,      // its run of chunks ends (a missing chunk, a malformed
                      // event): ends at the run's last event
  FR_REPLAY_EXITED,   // its thread exited without ending it
  FR_REPLAY_SNAPSHOT, // still open when the snapshot was taken
};

struct fr_replay_thread {
  uint32_t index, tid;
  char name[16];       // as its newest chunk says
  uint64_t base_ticks; // its oldest chunk's
};

// What a consumer is told. NULL members are left out. Calls come in this
// order: every `scan` (the pre-scan, every event once), `scanned`; then per
// thread `thread_begin`, its events in order, `thread_end`. For each event:
// `event` first, then the items it begins or ends, or `other`.
struct fr_replay_sink {
  void *ctx;
  void (*scan)(void *ctx, uint32_t thread, const struct fr_event *ev);
  void (*scanned)(void *ctx);
  void (*thread_begin)(void *ctx, const struct fr_replay_thread *t);
  // A chunk is read; after_gap: chunks of its thread before it are missing.
  void (*chunk)(void *ctx, const struct fr_chunk_view *c, int after_gap);
  void (*event)(void *ctx, const struct fr_event *ev);
  // An item begins; depth: the items below it.
  void (*begin)(void *ctx, const struct fr_replay_item *it, uint32_t depth);
  // The top item ends at ticks; ev is its end event when how is ENDED.
  void (*end)(void *ctx, const struct fr_replay_item *it, uint64_t ticks,
              enum fr_replay_end how, const struct fr_event *ev);
  // An end (of an item of kind) that matches nothing open: begun before a
  // missing chunk, or below a repaired stack.
  void (*unmatched)(void *ctx, uint32_t kind, const struct fr_event *ev);
  // An event that begins and ends nothing: lock and user instants, budget
  // and drop reports, kinds this frtool does not know.
  void (*other)(void *ctx, const struct fr_event *ev);
  void (*thread_end)(void *ctx, int exited);
};

struct fr_replay_stats {
  uint64_t malformed_chunks; // decoding stopped at a malformed event
  uint64_t unknown_events;   // of kinds a newer writer added: skipped
};

// Replays s into each of sinks[0..n), in that order at each call. 0 on
// success, -1 when out of memory.
int fr_replay(const struct fr_snapshot *s, const struct fr_replay_sink *sinks,
              unsigned n, struct fr_replay_stats *stats);

// Which kind of item an event begins (1) or ends (-1); 0: neither.
int fr_replay_classify(const struct fr_event *ev, uint32_t *kind);

#endif // FR_REPLAY_H
