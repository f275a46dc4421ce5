// SPDX-License-Identifier: Apache-2.0
// fr_export.h: frtool export's parts. The replay (fr_replay.c) reads each
// thread's events and pairs them into slices (calls, waits, regions) and
// instants; cmd_export.c feeds them to one output format through struct
// export_format: Perfetto (export_perfetto.c), Chrome JSON
// (export_chrome.c), folded stacks (export_folded.c) and the HTML report
// (report.c). Private to these files.
#ifndef FR_EXPORT_H
#define FR_EXPORT_H

#include "fr_analysis.h"
#include "fr_reader.h"
#include "fr_replay.h"
#include "fr_sink.h"
#include "fr_stats.h"

#include <stdint.h>
#include <stdio.h>

// Names longer than this are shortened where they are shown: a C++
// template's name can be 62 KB, and no table or track shows more.
#define NAME_SHOWN_MAX 1024
// Folded stacks keep roots: a stack deeper than this many frames, or whose
// "a;b;c" text would pass FOLDED_PATH_MAX bytes, has its deeper frames
// merged into one "[deeper frames]" frame (a stack overflow's 200,000
// frames are one line, not 200,000 lines of ever longer stacks).
#define MAX_SHOWN_DEPTH 128
#define FOLDED_PATH_MAX 16384
// The report's timeline keeps apart what is at least window / this long
// (report.c).
#define REPORT_RESOLUTION 20000

// Perfetto's and Chrome's category of each kind.
extern const char *const export_item_category[ITEM_KINDS];

struct item {
  uint32_t kind, site;
  uint64_t start_ns, child_ns; // for folded stacks
  uint32_t node; // its stack node (folded, report); UINT32_MAX: none kept
  // The argument it began with (a blocking call's fd, a lock), which the
  // formats write with its begin and the report shows in its detail;
  // arg_name NULL when it had none.
  const char *arg_name;
  int64_t arg;
  int arg_is_pointer;
  // Began before the window, still running where the thread's events end,
  // or a frame of a muted site whose exit was not recorded: its time is in
  // the flame graph, not in summary's timed calls.
  int incomplete;
  // The nearest function below it on the stack (UINT32_MAX: none), and, for
  // a function, the time summary counts as its own that the flame graph
  // draws in other frames: blocking calls, waits and regions between it and
  // the functions it calls, and whole calls of those whose exits were not
  // recorded (muted while they ran: summary does not time them).
  uint32_t owner;
  uint64_t self_elsewhere_ns;
};

// Folded stacks as a tree: a node is a frame under its parent frame.
struct stack_node {
  uint32_t parent; // UINT32_MAX at the root
  uint32_t kind, site;
  uint32_t depth, path_len; // frames, and bytes of "a;b;c", to here
  uint32_t name;            // index in the exporter's names
  int ended;       // a slice of this stack ended (it is printed)
  uint64_t self_ns;
  uint64_t incomplete_ns; // of self_ns, in calls not whole in the window
  // A function's: its struct item's self_elsewhere_ns, summed over its
  // calls, and over those not whole in the window.
  uint64_t self_elsewhere_ns, self_elsewhere_incomplete_ns;
  // The child found last: loops call the same functions again and again.
  uint32_t last_kind, last_site, last_child;
};

struct name {
  char *text;
  char *json;            // Chrome: the name as an escaped JSON string
  uint32_t sequence;     // Perfetto: the sequence that interned it last
  uint32_t site;         // report: where it is (file:line)
};

struct handoff {
  uint64_t lock;
  uint64_t wait_ns, acquired_ns; // the waiter's wait
  uint64_t release_ns;           // the release that ended it, 0 if unknown
  uint32_t waiter, releaser;     // thread indices
};

struct exporter {
  const struct export_format *format;
  FILE *out;
  const struct fr_snapshot *s;
  uint64_t first_event; // events written, for commas in JSON
  // Every (kind, site) name used, by its iid (name_iid): a direct table
  // for the site table's ids, a map for ids a file uses without naming
  // them; so memory grows with the names used, not with an id's value.
  struct name *names;
  uint32_t name_count, names_cap;
  uint32_t *name_direct; // iid -> index + 1, for iid < name_direct_slots
  uint64_t name_direct_slots;
  struct fr_map name_by_iid;
  // Perfetto
  uint32_t categories_interned; // bit per item_kind, on this sequence
  uint64_t process_uuid;
  uint32_t sequence;    // the current thread's packet sequence
  uint64_t sequence_ns; // its incremental clock: the previous packet's time
  struct fr_sink *sink; // Perfetto's and Chrome's output, to out
  uint64_t packets_left_out; // Perfetto: too large for their buffers
  uint64_t malformed_chunks; // replay stopped at a malformed event
  uint64_t unknown_events;   // of kinds a newer writer added: skipped
  // Folded stacks: (parent node, kind, site) -> node.
  struct fr_map folded;
  struct stack_node *nodes;
  uint32_t node_count, node_cap;
  // HTML report: the current thread's slices (start, duration, depth, name,
  // kind), written when the thread is done, and the names they use.
  uint64_t *slices;
  uint32_t slice_words, slice_cap;
  // The slices' details ("fd=5, result=-1, errno=EAGAIN"), each text once:
  // a slice holds its index + 1, 0 for none.
  char **details;
  uint32_t detail_count, detail_cap;
  struct fr_map detail_by_hash;
  uint64_t slice_total;    // recorded, before merging
  uint64_t slices_merged;  // merged into their neighbours (report_decimate)
  uint64_t slices_too_deep; // deeper than MAX_SHOWN_DEPTH: not drawn
  uint64_t folded_lines;
  uint64_t start_ns; // the window's first event
  // Lock hand-offs (Perfetto and Chrome): a contended acquisition and the
  // release that let it through, drawn as a flow from one to the other.
  struct handoff *handoffs;
  uint32_t handoff_count, handoff_cap;
  struct fr_map handoff_by_release, handoff_by_acquire; // key -> index
  uint64_t flow_out, flow_in; // on the next instant: starts / ends a flow
  // The current thread.
  uint32_t thread_index, tid;
  char thread_name[16];
  struct item *stack;
  uint32_t depth, stack_cap;
  // The pre-scan's wait, for the contended acquisitions.
  uint32_t scan_thread;
  int scan_waiting;
  uint64_t scan_lock, scan_wait_ns;
  int failed; // out of memory: the output is incomplete
  // The report's tables: summary's analysis, from the same replay.
  struct fr_analysis analysis;
};

// What an event says besides its name: an argument (a number, or an
// address shown in hex) and a text; a NULL name is none.
struct export_args {
  const char *name;
  int64_t value;
  int is_pointer;
  const char *name2;
  const char *text2;
};

// One step of the process's "threads waiting for a lock" counter.
struct export_step {
  uint64_t ns;
  int delta; // +1 a wait begins, -1 it ends
  int level; // after this step
};

// An output format: what the replay calls, in this order: begin, then per
// thread thread_begin, its slices and instants in time order, thread_end;
// then the counter and end. A NULL member is a part the format leaves out.
struct export_format {
  const char *name;      // as --format= names it
  const char *extension; // of the default output file
  int streamed;          // written through x->sink (else to x->out)
  int handoffs;          // wants lock hand-off flows and the wait counter
  int stacks;            // wants each frame's stack node (x->nodes)
  int wants_analysis;    // wants x->analysis (summary's) when it ends
  void (*begin)(struct exporter *x);
  void (*thread_begin)(struct exporter *x, uint64_t first_ns);
  // A slice begins: it is x->stack[x->depth - 1], with its argument.
  void (*slice_begin)(struct exporter *x, uint64_t ts, const struct item *it);
  // The top slice ends at ts, took ns after it began, with what its end
  // said; it is still on the stack.
  void (*slice_end)(struct exporter *x, uint64_t ts, const struct item *it,
                    uint64_t took, const struct export_args *end);
  void (*instant)(struct exporter *x, uint64_t ts, uint32_t kind,
                  uint32_t site, const struct export_args *a);
  void (*thread_end)(struct exporter *x);
  void (*wait_counter)(struct exporter *x, const char *name,
                       const struct export_step *steps, uint32_t n);
  int (*end)(struct exporter *x); // -1: could not write
};

extern const struct export_format export_perfetto, export_chrome,
    export_folded, export_report;

// cmd_export.c: monotonic nanoseconds of a tick count; the name of (kind,
// site), made when first used (NULL when out of memory), and its key.
uint64_t export_to_ns(const struct fr_snapshot *s, uint64_t ticks);
struct name *export_name_of(struct exporter *x, uint32_t kind, uint32_t site);
uint64_t export_name_iid(uint32_t kind, uint32_t site);

// export_folded.c: the stack node a frame (kind, site) opened under parent
// gets (UINT32_MAX when out of memory), and every stack that ended, parents
// before children, siblings by name, with its "a;b;c" text.
uint32_t export_frame_node(struct exporter *x, uint32_t parent, uint32_t kind,
                           uint32_t site);
void export_folded_walk(struct exporter *x,
                        void (*line)(struct exporter *, const char *,
                                     const struct stack_node *));

#endif
