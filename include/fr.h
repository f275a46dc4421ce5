// SPDX-License-Identifier: Apache-2.0
// fr.h: the public API of the fr flight recorder.
//
// The shape follows Go's runtime/trace FlightRecorder: a config with min_age and
// max_bytes, then new / start / stop / enabled / write_to. A process has at most
// one running recorder. Link with -lfr (static) or -lfr_shared plus -lpthread.
#ifndef FR_H
#define FR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Defaults for a zero field, as Go's: 10 s of history, 10 MiB of memory.
#define FR_DEFAULT_MIN_AGE_NS (10ull * 1000 * 1000 * 1000)
#define FR_DEFAULT_MAX_BYTES (10ull << 20)
// As JFR's default settings (under 1%) and Go's tracer (1-2%).
#define FR_DEFAULT_BUDGET_PERCENT 1.0
#define FR_BUDGET_UNLIMITED (-1.0)
// What the budget counts one recorded event as costing: not what an event
// costs in a tight loop (9 ns on a 2-core x86-64 VM whose rdtsc takes 8 ns)
// but in a real program, where the recorded events are sparse and find the
// thread's state and its chunk out of cache (15 to 25 ns on SQLite's
// speedtest1; bench/RESULTS.md, "What an event costs in a real program").
#define FR_EVENT_COST_NS 20

typedef struct fr_config {
  // Keep at least this much recent history (a hint; 0 = FR_DEFAULT_MIN_AGE_NS;
  // at most 720 hours, longer is taken as 720 hours).
  uint64_t min_age_ns;
  // Upper bound on the window's memory (a hint that wins over min_age_ns;
  // 0 = FR_DEFAULT_MAX_BYTES). Values below 64 KiB are raised to 64 KiB;
  // above 64 TiB, fr_start fails with FR_ERR_INVALID. Besides the window the
  // recorder keeps a fixed part and at most 1 KiB per live thread that
  // records (docs/format.md, "Memory").
  uint64_t max_bytes;
  // The share of each thread's time recording may take, in percent
  // (0 = FR_DEFAULT_BUDGET_PERCENT; negative: no limit), judged over about a
  // second. A thread that records more events than that allows (at an
  // estimated FR_EVENT_COST_NS each) has the sites it records most muted
  // for a while (FR_OPTIONS rearm=, 1 s at first): a function's events
  // stop, a lock site keeps only its contended waits, a blocking site only
  // its slow calls. Snapshots list what was muted, when, and when it was
  // recorded again. See docs/budget.md.
  double budget_percent;
} fr_config;

// Results. 0 is success; errors are negative and stable.
enum {
  FR_OK = 0,
  FR_ERR_RUNNING = -1,     // start: this or another recorder is running
  FR_ERR_NOT_RUNNING = -2, // stop / write_to: the recorder is not running
  FR_ERR_BUSY = -3,        // write_to: another write_to is in progress
  FR_ERR_IO = -4,          // write_to: the writer failed (errno is kept)
  FR_ERR_NOMEM = -5,       // start: the window could not be mapped
  FR_ERR_INVALID = -6,     // a NULL recorder or argument
};

typedef struct fr_recorder fr_recorder;

// A writer callback: consume len bytes, return 0 on success, nonzero to abort.
typedef int (*fr_write_fn)(void *ctx, const void *data, size_t len);

fr_recorder *fr_new(const fr_config *config); // NULL config = defaults
void fr_free(fr_recorder *r);                 // stops it first if running
int fr_start(fr_recorder *r);
int fr_stop(fr_recorder *r); // waits for an in-flight write_to
int fr_enabled(const fr_recorder *r);
int fr_write_to_fd(fr_recorder *r, int fd);
int fr_write_to(fr_recorder *r, fr_write_fn write, void *ctx);
// Writes a snapshot to a new file: path_template may hold %p (pid), %t (time),
// %n (a sequence number) and %e (program name). The snapshot is written to
// a temporary file (PATH.partial.TID, O_EXCL|O_NOFOLLOW, mode 0600) and
// linked to PATH when complete, so PATH is never a partial snapshot; an
// existing file or symlink at PATH is never followed or overwritten
// (FR_ERR_IO with errno EEXIST), and nothing is left if the write fails.
int fr_write_to_path(fr_recorder *r, const char *path_template);
const char *fr_strerror(int err);

// User annotations, as Go's runtime/trace tasks, regions and logs. A task is
// a unit of work that may span threads (a request); a region is a span of
// time on one thread, optionally in a task; a log is a message with a
// category. Names and categories are kept by address: pass string literals
// (or strings that live until exit). A log's message is copied (at most 200
// bytes). Each call is one event, and costs nothing when not recording
// (fr_task_begin then returns 0, which the others accept).
uint64_t fr_task_begin(const char *name);
void fr_task_end(uint64_t task);
void fr_region_begin(uint64_t task, const char *name);
void fr_region_end(uint64_t task, const char *name);
void fr_log(uint64_t task, const char *category, const char *message);

// The recorder that FR_OPTIONS started, or NULL.
fr_recorder *fr_default_recorder(void);

// Bytes of the recorder's own memory (windows, thread records, site names)
// that are resident now.
uint64_t fr_memory_bytes(void);

// Selection markers for the plugin. clang keeps only the annotate() part of
// these in the IR that a pass plugin sees; the others are there for clang's
// own -finstrument-functions and -fxray-instrument modes. An always-recorded
// function is also kept out of line: the plugin runs after inlining, and an
// inlined copy would have no entry or exit of its own.
#define FR_ALWAYS_INSTRUMENT                                                   \
  __attribute__((annotate("fr_always"), xray_always_instrument, noinline))
#define FR_NEVER_INSTRUMENT                                                    \
  __attribute__((annotate("fr_never"), xray_never_instrument,                  \
                 no_instrument_function))

#ifdef __cplusplus
}
#endif
#endif // FR_H
