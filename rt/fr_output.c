// SPDX-License-Identifier: Apache-2.0
// fr_output.c: snapshot files: the output path template and writing a file
// that is either complete or gone.
//
// A snapshot is written to a temporary file next to its path (PATH.partial.
// TID, created with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600) and linked to its
// name only when complete, so a file with a snapshot's name is always whole,
// even if the process dies mid-write. link(2) never replaces what is there:
// when the name is taken (a file, a symlink, a reused pid's snapshot), the
// snapshot goes to the next free name, NAME.1.fr, NAME.2.fr, ..., and one
// line says so (fr_write_to_path, whose caller named the file, fails with
// EEXIST instead). A write that fails (full disk, I/O error) removes the
// partial file and says so in one line on stderr. The crash variant does the same with async-signal-safe calls only:
// its own template expansion (no stdio, no localtime: %t is UTC there), no
// allocation, and write(2) for its message.
//
// Concurrency: the sequence number (%n) is an atomic counter; ordinary writes
// go through fr_write_to_trigger, which allows one at a time; a crash write
// runs at most once (fr_trigger.c) and may overlap an ordinary one.
#include "fr_internal.h"
#include "fr_text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE // renameat2's flag; stdio.h has it, linux/fs.h too
#define RENAME_NOREPLACE (1 << 0)
#endif

static unsigned fr_output_sequence;

// A fork child numbers its own snapshots (%n) from 0, under its own pid.
void fr_output_after_fork_child(void) { fr_output_sequence = 0; }

// YYYYmmdd-HHMMSS in UTC from seconds since the epoch (days to civil date as
// in Howard Hinnant's algorithm).
static void fr_text_utc(struct fr_text *t, int64_t secs) {
  int64_t days = secs / 86400, rem = secs % 86400;
  int64_t z = days + 719468, era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2);
  fr_text_uint(t, (uint64_t)y, 4);
  fr_text_uint(t, (uint64_t)m, 2);
  fr_text_uint(t, (uint64_t)d, 2);
  fr_text_add(t, "-", 1);
  fr_text_uint(t, (uint64_t)(rem / 3600), 2);
  fr_text_uint(t, (uint64_t)(rem / 60 % 60), 2);
  fr_text_uint(t, (uint64_t)(rem % 60), 2);
}

// Expands the template: %p pid, %t time, %n sequence, %e program name, %% a
// %. utc selects the async-signal-safe %t.
static int fr_expand_path(const char *tmpl, unsigned seq, int utc, char *out,
                          size_t size) {
  extern char *program_invocation_short_name;
  struct fr_text t = fr_text_in(out, size);
  for (const char *p = tmpl; *p; p++) {
    if (*p != '%') {
      fr_text_add(&t, p, 1);
      continue;
    }
    switch (*++p) {
    case 'p':
      fr_text_uint(&t, (uint64_t)fr_program_pid(), 1);
      break;
    case 'n':
      fr_text_uint(&t, seq, 1);
      break;
    case 'e':
      fr_text_str(&t, program_invocation_short_name);
      break;
    case 't': {
      time_t now = time(NULL);
      if (utc) {
        fr_text_utc(&t, (int64_t)now);
      } else {
        struct tm tm;
        char piece[32];
        localtime_r(&now, &tm);
        strftime(piece, sizeof(piece), "%Y%m%d-%H%M%S", &tm);
        fr_text_str(&t, piece);
      }
      break;
    }
    case 0:
      p--; // a trailing %: the parser rejects it, but stay in bounds
      break;
    default:
      fr_text_add(&t, "%", 1);
      break;
    }
  }
  return t.overflow ? -1 : 0;
}

static void fr_say(const char *a, const char *b, const char *c) {
  char line[PATH_MAX + 128];
  struct fr_text t = fr_text_in(line, sizeof(line));
  fr_text_str(&t, a);
  fr_text_str(&t, b);
  fr_text_str(&t, c);
  fr_text_say(&t, line);
}

static int fr_create(const char *path) {
  return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

// The temporary file for path: PATH.partial.TID (one writer per thread at a
// time; a stale one a dead writer left is replaced).
static int fr_create_partial(const char *path, char *tmp, size_t size) {
  struct fr_text t = fr_text_in(tmp, size);
  fr_text_str(&t, path);
  fr_text_str(&t, ".partial.");
  fr_text_uint(&t, (uint64_t)syscall(SYS_gettid), 1);
  if (t.overflow) {
    errno = ENAMETOOLONG;
    return -1;
  }
  int fd = fr_create(tmp);
  if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
    fd = fr_create(tmp);
  return fd;
}

// NAME.N.fr from NAME.fr (or NAME.N from a name without .fr).
static int fr_numbered(const char *path, unsigned n, char *out, size_t size) {
  size_t len = strlen(path);
  size_t stem = len >= 3 && !strcmp(path + len - 3, ".fr") ? len - 3 : len;
  struct fr_text t = fr_text_in(out, size);
  fr_text_add(&t, path, stem);
  fr_text_add(&t, ".", 1);
  fr_text_uint(&t, n, 1);
  fr_text_str(&t, path + stem);
  return t.overflow ? -1 : 0;
}

// Gives the complete temporary file its name or, with renamed (not NULL),
// the next free one: path is updated and *renamed says whether it had to
// be. The temporary name goes. Async-signal-safe. 0, or -1 with errno
// (EEXIST: the name is taken and renamed is NULL).
static int fr_publish(const char *tmp, char *path, size_t size, int *renamed) {
  char candidate[PATH_MAX];
  memcpy(candidate, path, strlen(path) + 1);
  for (unsigned n = 1; n <= (renamed ? 1000u : 1u); n++) {
    int linked = link(tmp, candidate) == 0;
    if (linked)
      unlink(tmp);
    // No hard links here (some file systems): a rename that refuses to
    // replace, which is what link gave.
    else if (errno != EEXIST &&
             syscall(SYS_renameat2, AT_FDCWD, tmp, AT_FDCWD, candidate,
                     RENAME_NOREPLACE) == 0)
      linked = 1;
    if (linked) {
      if (renamed)
        *renamed = n > 1;
      memcpy(path, candidate, strlen(candidate) + 1);
      return 0;
    }
    if (errno != EEXIST)
      break;
    if (fr_numbered(path, n, candidate, sizeof(candidate)) != 0 ||
        strlen(candidate) >= size)
      break;
  }
  int err = errno;
  unlink(tmp);
  errno = err;
  return -1;
}

// The file at the expanded template, written completely or removed. Returns
// FR_OK or an FR_ERR_ code with errno set; *stage says what failed; renamed
// as fr_publish's.
static int fr_write_file(fr_recorder *r, const char *tmpl,
                         const struct fr_trigger_info *info, char *path,
                         const char **stage, int *renamed) {
  unsigned seq = __atomic_fetch_add(&fr_output_sequence, 1, __ATOMIC_RELAXED);
  if (fr_expand_path(tmpl, seq, 0, path, PATH_MAX) != 0) {
    *stage = "path too long";
    errno = ENAMETOOLONG;
    return FR_ERR_INVALID;
  }
  char tmp[PATH_MAX];
  int fd = fr_create_partial(path, tmp, sizeof(tmp));
  if (fd < 0) {
    *stage = "cannot create";
    return FR_ERR_IO;
  }
  int result = fr_write_to_trigger(r, fr_write_fd, &fd, info);
  int saved = errno;
  if (close(fd) != 0 && result == FR_OK) {
    result = FR_ERR_IO;
    saved = errno;
  }
  if (result != FR_OK) {
    unlink(tmp);
    *stage = "not written";
  } else if (fr_publish(tmp, path, PATH_MAX, renamed) != 0) {
    result = FR_ERR_IO;
    saved = errno;
    *stage = "cannot create";
  }
  errno = saved;
  return result;
}

// One line when the snapshot went to another name than the template's.
static void fr_say_renamed(const char *path) {
  fr_say("fr: snapshot written to ", path, " (its name was taken)");
}

int fr_output_write(fr_recorder *r, const char *tmpl,
                    const struct fr_trigger_info *info) {
  char path[PATH_MAX];
  const char *stage = "";
  int renamed = 0;
  int result = fr_write_file(r, tmpl, info, path, &stage, &renamed);
  if (result == FR_OK) {
    if (renamed)
      fr_say_renamed(path);
    return 0;
  }
  int err = errno;
  char line[PATH_MAX + 256];
  struct fr_text t = fr_text_in(line, sizeof(line));
  if (result == FR_ERR_INVALID) {
    fr_text_str(&t, "fr: snapshot path from '");
    fr_text_value(&t, tmpl, strlen(tmpl));
    fr_text_str(&t, "' is too long");
  } else if (!strcmp(stage, "cannot create")) {
    fr_text_str(&t, "fr: cannot create snapshot ");
    fr_text_str(&t, path);
    fr_text_str(&t, ": ");
    fr_text_errno(&t, err);
  } else {
    fr_text_str(&t, "fr: snapshot ");
    fr_text_str(&t, path);
    fr_text_str(&t, " not written: ");
    fr_text_str(&t, fr_strerror(result));
    if (result == FR_ERR_IO) {
      fr_text_str(&t, ": ");
      fr_text_errno(&t, err);
    }
  }
  fr_text_say(&t, line);
  return -1;
}

FR_API int fr_write_to_path(fr_recorder *r, const char *path_template) {
  if (!r || !path_template || !path_template[0])
    return FR_ERR_INVALID;
  char path[PATH_MAX];
  const char *stage = "";
  struct fr_trigger_info api = {.trigger = FR_TRIGGER_API};
  // The caller named the file: a taken name is an error (EEXIST), not
  // another name the caller would not know.
  return fr_write_file(r, path_template, &api, path, &stage, NULL);
}


// The crash and signal path's one line on failure: what failed, the path,
// and why (errno's meaning), async-signal-safely.
static void fr_say_failed(int crash, const char *what, const char *path,
                          int err) {
  char line[PATH_MAX + 256];
  struct fr_text t = fr_text_in(line, sizeof(line));
  fr_text_str(&t, crash ? "fr: crash snapshot " : "fr: snapshot ");
  fr_text_str(&t, path);
  fr_text_str(&t, " not written: ");
  fr_text_str(&t, what);
  if (err) {
    fr_text_str(&t, ": ");
    fr_text_errno(&t, err);
  }
  fr_text_say(&t, line);
}

unsigned fr_output_take_sequence(void) {
  return __atomic_fetch_add(&fr_output_sequence, 1, __ATOMIC_RELAXED);
}

int fr_output_write_crash(const char *tmpl, const struct fr_trigger_info *info) {
  return fr_output_write_crash_numbered(tmpl, info, fr_output_take_sequence());
}

int fr_output_write_crash_numbered(const char *tmpl,
                                   const struct fr_trigger_info *info,
                                   unsigned seq) {
  char path[PATH_MAX];
  int crash = info->trigger == FR_TRIGGER_CRASH;
  if (fr_expand_path(tmpl, seq, 1, path, sizeof(path)) != 0) {
    fr_say_failed(crash, "the path is too long once expanded", tmpl, 0);
    return -1;
  }
  char tmp[PATH_MAX];
  int fd = fr_create_partial(path, tmp, sizeof(tmp));
  if (fd < 0) {
    fr_say_failed(crash, "cannot create it", path, errno);
    return -1;
  }
  int result = fr_write_crash(fr_write_fd, &fd, info);
  int err = result == FR_OK ? 0 : errno;
  if (close(fd) != 0 && result == FR_OK) {
    result = FR_ERR_IO;
    err = errno;
  }
  if (result != FR_OK) {
    unlink(tmp);
    fr_say_failed(crash, result == FR_ERR_IO ? "writing failed" : fr_strerror(result),
                  path, result == FR_ERR_IO ? err : 0);
    return -1;
  }
  int renamed = 0;
  if (fr_publish(tmp, path, sizeof(path), &renamed) != 0) {
    fr_say_failed(crash, "cannot give it its name", path, errno);
    return -1;
  }
  if (renamed)
    fr_say_renamed(path);
  if (crash) // the program is about to die: say where its last moments are
    fr_say("fr: crash snapshot written to ", path, "");
  return 0;
}
