// SPDX-License-Identifier: Apache-2.0
// fr_format.h: the snapshot file format and the compiler/runtime ABI, in one place.
//
// Included by the runtime (rt/), the reader (tools/) and, for the site kinds and
// section name, mirrored by value in the plugin (plugin/FrAbi.h checks them with
// static_assert). docs/format.md explains the format in prose; this header is the
// definition. All integers are little-endian; all structs are packed by layout
// (every field naturally aligned, sizes pinned by _Static_assert).
//
// File layout:
//
//   fr_file_header                       fixed, FR_FILE_HEADER_SIZE bytes
//   fr_section_header + payload          repeated; payload checksummed (CRC-32C)
//     FR_SEC_SITES   site table: which function/file/line each site id means
//     FR_SEC_CHUNK   one chunk of one thread's events (fr_chunk_header + bytes)
//     FR_SEC_END     totals; a file without it was not written completely
//
// Events inside a chunk are a byte stream. Each event starts with a LEB128
// "tag"; its low two bits give the event class, the rest the site id or the
// extended kind. Then comes a LEB128 tick delta from the previous event in the
// same chunk (the first event's delta is from fr_chunk_header.base_ticks), then
// a class-specific payload:
//
//   tag & 3 == FR_EV_ENTER   site = tag >> 2                 no payload
//   tag & 3 == FR_EV_EXIT    site = tag >> 2                 no payload
//   tag & 3 == FR_EV_SITE    site = tag >> 2                 self-describing:
//                            varint (fr_site_event | nfields << 4), then nfields
//                            varints (signed ones zigzag-encoded)
//   tag & 3 == FR_EV_EXT     kind = tag >> 2 (fr_ext_kind)   payload by ext kind
//
// A function event in a tight loop is two bytes: a one-byte tag (site < 32) and
// a one-byte delta (< 128 ticks). A lock acquired without waiting is one event.
#ifndef FR_FORMAT_H
#define FR_FORMAT_H

#include <stdint.h>

#define FR_MAGIC "FRSNAP\r\n" // \r\n catches text-mode mangling, as PNG's does
#define FR_MAGIC_SIZE 8
#define FR_FORMAT_VERSION 7
// Version 1 files (no lock/blocking sites; 16-byte site records) still read;
// version 2 had no site flags (the kind was 32 bits) and no FR_EXT_MUTED;
// version 3 reported drops as FR_EXT_LOST (one count, causes mixed) and its
// header's start_ticks was the recorder's start, not the window's; version 4
// had no byte-order mark and no reader_version; version 5 had no
// FR_EXT_RESUMED (a version 5 reader skips it, by its size); version 6 had
// no FR_EXT_REARMED, and a muted site stayed muted until the next start (a
// version 6 reader skips the event and reads the rest correctly).
#define FR_FORMAT_VERSION_MIN 1
// How the format grows without shutting older readers out: a newer writer
// adds section types (skipped by their size), extended event kinds from
// FR_EXT_SIZED_FIRST on (skipped by the size they carry), site event kinds
// (self-describing), header fields after the last (header_size says where
// sections begin). It sets reader_version to the oldest format version
// whose reader still reads the file correctly that way; a reader refuses a
// file whose reader_version is newer than its own FR_FORMAT_VERSION.

// ---- Compiler/runtime ABI (what the plugin emits) ----------------------------

// The section holding every module's site descriptors. A C identifier, so the
// linker also provides __start_fr_sites / __stop_fr_sites.
#define FR_SITE_SECTION "fr_sites"

// Site ids of a module whose constructor has not run yet start here, so events
// recorded that early are shown as "unknown site" rather than as another
// module's functions. Ids stay below 2^30 so that (id << 2) fits 32 bits.
#define FR_UNREGISTERED_SITE_BASE 0x38000000u

enum fr_site_kind {
  FR_SITE_FUNCTION = 1, // function entry/exit
  FR_SITE_LOCK = 2,     // a call of a lock function (pthread, C11, sem, user)
  FR_SITE_BLOCKING = 3, // a call of a function that may block (I/O, sleep...)
  FR_SITE_USER = 4,     // a user annotation's name (fr_task_begin, ...)
};

// The guard: one byte per site in the instrumented module, which the inserted
// code loads before the site's hooks and the runtime sets (fr_sites.c). 0
// while the recorder is stopped, and for a function the overhead budget muted.
#define FR_GUARD_ALL 1  // record every event of the site
#define FR_GUARD_SLOW 2 // record what is slow: a lock's contended waits, a
                        // blocking call longer than FR_SLOW_CALL_NS
#define FR_GUARD_ON (FR_GUARD_ALL | FR_GUARD_SLOW)
// A blocking call at a muted site is recorded when it takes longer than this
// (as JFR's thresholded I/O events).
#define FR_SLOW_CALL_NS 1000000u

// fr_site_desc.detail of a lock site: what the lock is.
enum fr_lock_detail {
  FR_LOCK_MUTEX = 1,        // pthread mutex, C11 mtx
  FR_LOCK_RWLOCK_READ = 2,  // rwlock taken for reading
  FR_LOCK_SEMAPHORE = 3,    // sem_t: acquire is wait, release is post
  FR_LOCK_CONDITION = 4,    // condition variable: wait, signal, broadcast
  FR_LOCK_USER = 5,         // a function the user named as a lock or unlock
  FR_LOCK_RWLOCK_WRITE = 6, // rwlock taken for writing, or released
  FR_LOCK_SPIN = 7,         // pthread spinlock
};
// Or'ed into a lock site's detail when its calls have no try counterpart
// (user-named locks, clocklock): every acquisition records a wait, so only a
// wait longer than a microsecond counts as contention.
#define FR_LOCK_WAITS_ALWAYS 0x100
// Or'ed into a lock site's detail when, muted, it has nothing to record: its
// calls never wait (an unlock, a post, a signal, a try) or their waits
// cannot be told from the rest (user-named locks). The budget mutes such a
// site off, as a function, rather than to its slow events: its code then
// costs what it costs with the recorder stopped (a small function around
// it no longer enters its recording copy at every call).
#define FR_LOCK_MUTED_OFF 0x200
#define FR_LOCK_KIND(detail) ((detail) & 0xff)

// fr_site_desc.detail of a user site: what the name names.
enum fr_user_detail {
  FR_USER_TASK = 1,   // fr_task_begin's name
  FR_USER_REGION = 2, // fr_region_begin / end's name
  FR_USER_LOG = 3,    // fr_log's category
};

// fr_site_desc.detail of a blocking site: low byte, what the recorded
// argument identifies; next byte, how to read the result.
enum fr_blocking_arg {
  FR_ARG_NONE = 0,
  FR_ARG_FD = 1,        // a file descriptor (also the fd of a FILE *)
  FR_ARG_PID = 2,       // waitpid
  FR_ARG_THREAD = 3,    // pthread_join's pthread_t
  FR_ARG_ADDR = 4,      // futex word
  FR_ARG_COUNT = 5,     // poll/select: number of descriptors
  FR_ARG_USEC = 6,      // usleep
  FR_ARG_SEC = 7,       // sleep
  FR_ARG_CLOCK = 8,     // clock_nanosleep's clock id
};
enum fr_blocking_result {
  FR_RESULT_ERRNO = 0,  // -1 is failure, errno recorded with it
  FR_RESULT_ERRNUM = 1, // nonzero is the error (pthread_join, getaddrinfo)
  FR_RESULT_COUNT = 2,  // a count, no error convention (fread, sleep)
  FR_RESULT_PTR = 3,    // 1 for a pointer, 0 for NULL (fgets)
  FR_RESULT_VFORK = 4,  // vfork: the child's pid, or -1 and errno (the
                        // child's own return, 0, is never recorded)
};
#define FR_BLOCKING_DETAIL(arg, result) ((arg) | (result) << 8)

// One per instrumented function or call site, emitted by the plugin into
// FR_SITE_SECTION. The runtime copies the strings at registration, so a
// dlclose()d module's sites stay readable in later snapshots.
struct fr_site_desc {
  uint16_t kind;   // enum fr_site_kind
  uint16_t detail; // lock: fr_lock_detail; blocking: FR_BLOCKING_DETAIL
  uint32_t line;   // 0 when the module had no debug info
  const char *function; // the function, or for a call site its caller
  const char *file;
  const char *callee; // call sites: the called function; else NULL
};

// ---- Events ------------------------------------------------------------------

enum fr_event_class {
  FR_EV_ENTER = 0,
  FR_EV_EXIT = 1,
  FR_EV_SITE = 2,
  FR_EV_EXT = 3,
};

enum fr_ext_kind {
  FR_EXT_THREAD_START = 1, // payload: none
  FR_EXT_THREAD_EXIT = 2,  // payload: none
  FR_EXT_LOST = 3,         // versions 1-3: varint count of events dropped here
  FR_EXT_MUTED = 4, // payload: varint site id, varint its events per second:
                    // the overhead budget muted the site from here on
  FR_EXT_DROPPED = 5, // version 4: varint events dropped by reentrancy (a
                      // signal handler's hooks inside a hook), varint
                      // events dropped for want of space; here, since the
                      // thread's previous report
  // Kinds from here on carry their payload's size first (varint n, then n
  // bytes), so a reader that does not know them skips them.
  FR_EXT_SIZED_FIRST = 16,
  // version 6: the thread's call stack is back at a frame of this function
  // (fr_resume_cause): an exception was caught there, or a setjmp returned
  // there a second time. Frames recorded above the innermost open frame of
  // the site were left without their exits (frames the unwinder or longjmp
  // skipped that recorded no exit). Payload: size, varint site, varint cause.
  FR_EXT_RESUMED = 16,
  // version 7: the overhead budget re-armed a site it had muted: its events
  // are recorded again from here on (docs/budget.md). Payload: size, varint
  // site, varint how long it was muted, in milliseconds.
  FR_EXT_REARMED = 17,
  // The counted tier (docs/budget.md; added to version 7, sized, so that
  // earlier readers skip them). FR_EXT_COUNTED: calls of a site the budget
  // muted that this thread made since its previous FR_EXT_COUNTED for the
  // site (a count of 0 right after FR_EXT_MUTED: the site is counted, not
  // muted outright). Payload: size, varint site, varint calls.
  FR_EXT_COUNTED = 18,
  // A call of a counted site that ended here and took longer than
  // FR_SLOW_CALL_NS. Payload: size, varint site, varint its ticks: it began
  // this event's time minus them (both ends read from the CPU's clock).
  FR_EXT_SLOW_CALL = 19,
};
enum fr_resume_cause {
  FR_RESUME_CATCH = 1,  // a landing pad that catches: the unwinder stopped here
  FR_RESUME_SETJMP = 2, // setjmp/sigsetjmp returned (a longjmp came here)
};
static inline int fr_ext_is_sized(uint32_t kind) {
  return kind >= FR_EXT_SIZED_FIRST;
}

// What an FR_EV_SITE event says (the payload header's low four bits). The
// first field of a lock event (kinds up to FR_SEV_SIGNAL) is the object's
// address as a zigzag delta from the previous lock event's object in the same
// chunk (from 0 at the chunk's start): the same lock again is one byte. A
// cond wait's mutex (second field) is a plain address; results, arguments and
// errno values are zigzag.
enum fr_site_event {
  FR_SEV_ACQUIRE = 1,    // lock taken without waiting, or a try: obj, result
                         // (0: acquired; writers leave a 0 result out)
  FR_SEV_WAIT = 2,       // lock busy, waiting begins: obj
  FR_SEV_ACQUIRED = 3,   // the wait ended: obj, result (0: acquired; left
                         // out when 0)
  FR_SEV_RELEASE = 4,    // unlock, sem_post: obj
  FR_SEV_COND_WAIT = 5,  // cond wait begins, mutex released: cond, mutex
  FR_SEV_COND_WOKEN = 6, // cond wait ended, mutex held again: cond, result
                         // (left out when 0)
  FR_SEV_SIGNAL = 7,     // cond signal or broadcast: cond
  FR_SEV_CALL = 8,       // blocking call begins: argument (fr_blocking_arg)
  FR_SEV_RETURN = 9,     // blocking call returned: result [, errno]
  FR_SEV_TASK_BEGIN = 10,   // user task begins: task id
  FR_SEV_TASK_END = 11,     // user task ends: task id
  FR_SEV_REGION_BEGIN = 12, // user region begins on this thread: task id
  FR_SEV_REGION_END = 13,   // user region ends: task id
  FR_SEV_LOG = 14,          // user log: task id, n; then n bytes of text
};
#define FR_SEV_MAX_FIELDS 3
// FR_SEV_LOG's text is at most this long (longer messages are cut).
#define FR_LOG_MAX_BYTES 200

// Largest encoded event: tag (5) + delta (10) + header (1) + three 10-byte
// varints.
#define FR_MAX_EVENT_BYTES 48

// ---- File structures ---------------------------------------------------------

enum fr_trigger {
  FR_TRIGGER_API = 0,
  FR_TRIGGER_EXIT = 1,
  FR_TRIGGER_SIGNAL = 2,
  FR_TRIGGER_CRASH = 3,
  FR_TRIGGER_CONDITION = 4,
};

struct fr_file_header {
  char magic[FR_MAGIC_SIZE];
  uint16_t version;
  uint16_t header_size; // sizeof(struct fr_file_header) when written
  uint32_t pid;
  // Clock: ns = anchor_realtime_ns + (ticks - anchor_ticks) * 1e9 / tick_hz.
  uint64_t tick_hz;
  uint64_t anchor_ticks;
  uint64_t anchor_realtime_ns; // CLOCK_REALTIME at anchor_ticks
  uint64_t anchor_monotonic_ns; // CLOCK_MONOTONIC at anchor_ticks
  // The window: from the file's first event (version 4; before, the
  // recorder's start) to the snapshot.
  uint64_t start_ticks;
  uint64_t snapshot_ticks; // snapshot taken
  uint64_t min_age_ns;     // config in force
  uint64_t max_bytes;
  uint32_t chunk_size;
  uint32_t trigger; // enum fr_trigger
  char program[64]; // NUL-terminated, truncated
  // Version 2: what fired the trigger. Condition: which condition, on which
  // thread and site, how long the slow event took against the threshold;
  // signal and crash: the signal number in trigger_detail.
  uint32_t trigger_detail; // enum fr_condition, or the signal number
  uint32_t trigger_thread; // thread_index, 0 when not known
  uint32_t trigger_site;   // site id, 0 when not known
  uint32_t budget_ppm; // version 3: the overhead budget in force, parts per
                       // million of each thread's time (0: no budget)
  uint64_t trigger_ns;           // the slow event's duration
  uint64_t trigger_threshold_ns; // the threshold it crossed
  // Version 5. FR_BYTE_ORDER_MARK as the writer stored it: the file's
  // integers are in the writer's byte order, and a reader of the other
  // order sees the mark reversed and says so.
  uint32_t byte_order;
  uint16_t reader_version; // see FR_FORMAT_VERSION_MIN
  uint16_t reserved;       // 0
  // Added to version 7 after its first 192 bytes (a header without them
  // reads them as zero): what a crash snapshot's fault was
  // (FR_TRIGGER_CRASH; zero for every other trigger). crash_flags says
  // which of the fields are known (FR_CRASH_*).
  uint32_t crash_flags;
  int32_t crash_code;   // the signal's si_code (SEGV_MAPERR, BUS_ADRALN, ...)
  uint64_t crash_addr;  // si_addr: the address the fault was about
  uint64_t crash_pc;    // the faulting instruction, as mapped in the process
  // The same instruction in its object file's addresses (what `addr2line
  // -e FILE` takes), and that file's name without its directories.
  uint64_t crash_module_pc;
  char crash_module[64]; // NUL-terminated, truncated
};
_Static_assert(sizeof(struct fr_file_header) == 288, "header layout is ABI");
#define FR_FILE_HEADER_SIZE 288
#define FR_FILE_HEADER_V7_SIZE 192 // versions 5 to 7 before the crash fields
#define FR_FILE_HEADER_V4_SIZE 184
#define FR_FILE_HEADER_V1_SIZE 152
#define FR_BYTE_ORDER_MARK 0x01020304u
#define FR_CRASH_MODULE_SIZE 64

// fr_file_header.crash_flags
enum fr_crash_flag {
  FR_CRASH_PC = 1,     // crash_pc
  FR_CRASH_ADDR = 2,   // crash_addr (a memory fault the kernel raised:
                       // SIGSEGV or SIGBUS with si_code > 0, not SI_KERNEL)
  FR_CRASH_CODE = 4,   // crash_code
  FR_CRASH_MODULE = 8, // crash_module and crash_module_pc
};

// fr_file_header.trigger_detail of a FR_TRIGGER_CONDITION snapshot.
enum fr_condition {
  FR_CONDITION_LOCK_WAIT = 1, // a lock wait took longer than lock_wait
  FR_CONDITION_BLOCKING = 2,  // a blocking call took longer than blocking
  FR_CONDITION_FUNCTION = 3,  // the watched function ran longer than slow
};

enum fr_section_type {
  FR_SEC_SITES = 1,
  FR_SEC_CHUNK = 2,
  FR_SEC_END = 3,
  // A reader skips a section of a type it does not know (its size and
  // checksum still checked), and notes it.
};

struct fr_section_header {
  uint32_t type;   // enum fr_section_type
  uint32_t crc32c; // of the payload
  uint64_t size;   // payload bytes that follow
};
_Static_assert(sizeof(struct fr_section_header) == 16, "section header is ABI");

// FR_SEC_SITES payload: uint32_t count, then count records of
//   fr_site_record, function name bytes, file name bytes, callee name bytes
//   (no NULs). Version 1 records end after file_len (16 bytes, no callee).
struct fr_site_record {
  uint32_t id;
  uint16_t kind;  // enum fr_site_kind
  uint16_t flags; // FR_SITE_MUTED (version 3; 0 in older files)
  uint32_t line;
  uint16_t function_len;
  uint16_t file_len;
  uint16_t callee_len;
  uint16_t detail;
};
_Static_assert(sizeof(struct fr_site_record) == 20, "site record is ABI");
#define FR_SITE_RECORD_V1_SIZE 16
// fr_site_record.flags: the overhead budget had this site muted when the
// snapshot was taken. A function's events stop at its FR_EXT_MUTED event; a
// lock site keeps its contended waits, a blocking site its calls longer than
// FR_SLOW_CALL_NS. (Version 7: a site re-armed since loses the flag; its
// FR_EXT_MUTED and FR_EXT_REARMED events say when in the window it was
// muted. Before, the flag stayed until the next start.)
#define FR_SITE_MUTED 1
// With FR_SITE_MUTED, a function the budget counts rather than muting
// outright: its calls are counted (FR_EXT_COUNTED), its slow calls recorded
// (FR_EXT_SLOW_CALL).
#define FR_SITE_COUNTED 2

// FR_SEC_CHUNK payload: this header, then event_bytes of events.
struct fr_chunk_header {
  uint32_t thread_index; // per process, never reused
  uint32_t tid;          // the kernel's thread id
  uint32_t seq;          // chunk number within the thread, from 0
  uint32_t event_bytes;
  uint64_t base_ticks; // the first event's delta is from here
  uint64_t last_ticks; // the last event's time
  uint64_t lost_before; // events this thread dropped before this chunk
  char thread_name[16]; // NUL-terminated
};
_Static_assert(sizeof(struct fr_chunk_header) == 56, "chunk header is ABI");

// FR_SEC_END payload.
struct fr_end_record {
  uint32_t chunk_count;
  uint32_t site_count;
  uint64_t event_bytes;
  // Version 4: events dropped that no chunk in the file reports (hooks that
  // ran after their thread's exit; drops of threads that exited without
  // room to report them). Each thread's other drops are in its chunks'
  // FR_EXT_DROPPED events: the total is their sum plus this, no event
  // counted twice. Before version 4: drops for want of memory, which
  // FR_EXT_LOST events counted again.
  uint64_t lost_events;
  uint64_t chunks_overwritten; // recycled while the snapshot copied them
};
_Static_assert(sizeof(struct fr_end_record) == 32, "end record is ABI");

#endif // FR_FORMAT_H
