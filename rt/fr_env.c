// SPDX-License-Identifier: Apache-2.0
// fr_env.c: zero-code-change control through the FR_OPTIONS variable.
//
//   FR_OPTIONS='max_bytes=4MiB,min_age=5s,output=/var/tmp/%e-%p-%n.fr'
//
// Setting FR_OPTIONS (even to "") starts the default recorder before main and,
// unless exit_dump=0, writes a snapshot at exit. The keys are in fr_options.inc.
// A malformed value gets one line on stderr naming the bad part, and the
// program runs on with recording off: a typo must never take a service down.
//
// Concurrency: fr_env_init runs once (pthread_once) from the first module
// constructor or this file's own; the exit handler runs in the exiting thread.
#include "fr_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct fr_env_options {
  int enable;
  uint64_t min_age;
  uint64_t max_bytes;
  char output[PATH_MAX];
  int exit_dump;
};

static struct fr_env_options fr_env;
static fr_recorder *fr_env_recorder;
static unsigned fr_env_sequence;
static pthread_once_t fr_env_once = PTHREAD_ONCE_INIT;

static int fr_parse_bool(const char *v, size_t n, int *out) {
  static const char *yes[] = {"1", "on", "yes", "true"};
  static const char *no[] = {"0", "off", "no", "false"};
  for (int i = 0; i < 4; i++) {
    if (strlen(yes[i]) == n && !strncasecmp(v, yes[i], n))
      return *out = 1, 0;
    if (strlen(no[i]) == n && !strncasecmp(v, no[i], n))
      return *out = 0, 0;
  }
  return -1;
}

// A decimal number (with an optional fraction) and a unit from the table.
struct fr_unit {
  const char *name;
  double scale;
};

static int fr_parse_scaled(const char *v, size_t n, const struct fr_unit *units,
                           int unit_required, uint64_t *out) {
  char buf[64];
  if (n == 0 || n >= sizeof(buf))
    return -1;
  memcpy(buf, v, n);
  buf[n] = 0;
  if (buf[0] < '0' || buf[0] > '9')
    return -1;
  char *end;
  errno = 0;
  double value = strtod(buf, &end);
  if (errno || value < 0)
    return -1;
  double scale = 0;
  if (*end == 0 && !unit_required)
    scale = 1;
  for (const struct fr_unit *u = units; *end && u->name; u++)
    if (!strcmp(end, u->name))
      scale = u->scale;
  if (scale == 0 || value * scale > 1.8e19)
    return -1;
  *out = (uint64_t)(value * scale);
  return 0;
}

static const struct fr_unit fr_duration_units[] = {
    {"ns", 1},   {"us", 1e3},   {"ms", 1e6},    {"s", 1e9},
    {"m", 60e9}, {"h", 3600e9}, {NULL, 0},
};
static const struct fr_unit fr_size_units[] = {
    {"B", 1},          {"K", 1024},         {"KiB", 1024},
    {"M", 1048576},    {"MiB", 1048576},    {"G", 1073741824.0},
    {"GiB", 1073741824.0}, {NULL, 0},
};

static int fr_parse_duration(const char *v, size_t n, uint64_t *out) {
  return fr_parse_scaled(v, n, fr_duration_units, 1, out);
}

static int fr_parse_size(const char *v, size_t n, uint64_t *out) {
  return fr_parse_scaled(v, n, fr_size_units, 0, out);
}

static int fr_parse_path(const char *v, size_t n, char *out) {
  if (n == 0 || n >= PATH_MAX)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (v[i] != '%')
      continue;
    if (++i == n || !strchr("ptne%", v[i]))
      return -1;
  }
  if (v[0] == '/') {
    memcpy(out, v, n);
    out[n] = 0;
    return 0;
  }
  // Relative to where the program started: a daemon may chdir("/") later.
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof(cwd)) || strlen(cwd) + 1 + n >= PATH_MAX)
    return -1;
  snprintf(out, PATH_MAX, "%s/%.*s", cwd, (int)n, v);
  return 0;
}

// Each parser stores into a field of o named after the option; v and vlen are
// the value text in scope where these expand.
#define fr_parse_into_bool(field) fr_parse_bool(v, vlen, &o->field)
#define fr_parse_into_duration(field) fr_parse_duration(v, vlen, &o->field)
#define fr_parse_into_size(field) fr_parse_size(v, vlen, &o->field)
#define fr_parse_into_path(field) fr_parse_path(v, vlen, o->field)

static const char *fr_expect(const char *parser) {
  if (!strcmp(parser, "bool"))
    return "0 or 1";
  if (!strcmp(parser, "duration"))
    return "a duration such as 500ms, 5s or 2m";
  if (!strcmp(parser, "size"))
    return "a size such as 65536, 512KiB or 16MiB";
  return "a path; % may only be followed by p, t, n, e or %";
}

static int fr_parse_one(struct fr_env_options *o, const char *key, size_t klen,
                        const char *v, size_t vlen) {
#define FR_OPTION(name, parser, def, help)                                     \
  if (klen == sizeof(#name) - 1 && !strncmp(key, #name, klen)) {               \
    if (fr_parse_into_##parser(name) == 0)                                     \
      return 0;                                                                \
    fprintf(stderr,                                                            \
            "fr: FR_OPTIONS: bad value '%.*s' for %s (expected %s); "          \
            "recording is off\n",                                              \
            (int)vlen, v, #name, fr_expect(#parser));                          \
    return -1;                                                                 \
  }
#include "fr_options.inc"
#undef FR_OPTION
  fprintf(stderr,
          "fr: FR_OPTIONS: unknown option '%.*s' (known:"
#define FR_OPTION(name, parser, def, help) " " #name
#include "fr_options.inc"
#undef FR_OPTION
          "); recording is off\n",
          (int)klen, key);
  return -1;
}

static void fr_set_defaults(struct fr_env_options *o) {
  const char *v;
  size_t vlen;
#define FR_OPTION(name, parser, def, help)                                     \
  v = def;                                                                     \
  vlen = sizeof(def) - 1;                                                      \
  (void)fr_parse_into_##parser(name);
#include "fr_options.inc"
#undef FR_OPTION
}

// Parses "key=value,key=value". Returns 0, or -1 after printing one line.
static int fr_parse_options(const char *s, struct fr_env_options *o) {
  fr_set_defaults(o);
  while (*s) {
    const char *item = s;
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    s += len + (comma ? 1 : 0);
    while (len && (*item == ' ' || *item == '\t'))
      item++, len--;
    while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
      len--;
    if (len == 0)
      continue;
    const char *eq = memchr(item, '=', len);
    if (!eq) {
      // A bare "off"/"on" is the enable switch.
      int on;
      if (fr_parse_bool(item, len, &on) == 0) {
        o->enable = on;
        continue;
      }
      fprintf(stderr,
              "fr: FR_OPTIONS: '%.*s' is not key=value; recording is off\n",
              (int)len, item);
      return -1;
    }
    size_t klen = (size_t)(eq - item);
    if (fr_parse_one(o, item, klen, eq + 1, len - klen - 1) != 0)
      return -1;
  }
  return 0;
}

// Expands the output template. Not async-signal-safe (localtime_r); the crash
// path gets its own expansion with the triggers issue.
static int fr_expand_path(const char *tmpl, unsigned seq, char *out,
                          size_t size) {
  size_t n = 0;
  for (const char *p = tmpl; *p; p++) {
    char piece[64];
    const char *add = piece;
    if (*p != '%') {
      piece[0] = *p;
      piece[1] = 0;
    } else {
      switch (*++p) {
      case 'p':
        snprintf(piece, sizeof(piece), "%d", (int)getpid());
        break;
      case 'n':
        snprintf(piece, sizeof(piece), "%u", seq);
        break;
      case 't': {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(piece, sizeof(piece), "%Y%m%d-%H%M%S", &tm);
        break;
      }
      case 'e': {
        extern char *program_invocation_short_name;
        add = program_invocation_short_name;
        break;
      }
      default:
        piece[0] = '%';
        piece[1] = 0;
        break;
      }
    }
    size_t len = strlen(add);
    if (n + len >= size)
      return -1;
    memcpy(out + n, add, len);
    n += len;
  }
  out[n] = 0;
  return 0;
}

// Writes a snapshot of r to a new file from the template. Never clobbers or
// follows a symlink; a failed write removes the partial file. Reports failure
// in one line on stderr.
static int fr_write_snapshot_file(fr_recorder *r, const char *tmpl,
                                  enum fr_trigger trigger) {
  char path[PATH_MAX];
  unsigned seq = __atomic_fetch_add(&fr_env_sequence, 1, __ATOMIC_RELAXED);
  if (fr_expand_path(tmpl, seq, path, sizeof(path)) != 0) {
    fprintf(stderr, "fr: snapshot path from '%s' is too long\n", tmpl);
    return -1;
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                0600);
  if (fd < 0) {
    fprintf(stderr, "fr: cannot create snapshot %s: %s\n", path,
            strerror(errno));
    return -1;
  }
  int result = fr_write_to_trigger(r, fr_write_fd, &fd, trigger);
  int saved = errno;
  if (close(fd) != 0 && result == FR_OK) {
    result = FR_ERR_IO;
    saved = errno;
  }
  if (result != FR_OK) {
    unlink(path);
    fprintf(stderr, "fr: snapshot %s not written: %s%s%s\n", path,
            fr_strerror(result), result == FR_ERR_IO ? ": " : "",
            result == FR_ERR_IO ? strerror(saved) : "");
    return -1;
  }
  return 0;
}

static void fr_env_at_exit(void) {
  if (fr_env_recorder && fr_enabled(fr_env_recorder))
    fr_write_snapshot_file(fr_env_recorder, fr_env.output, FR_TRIGGER_EXIT);
}

static void fr_env_init_now(void) {
  const char *s = getenv("FR_OPTIONS");
  if (!s)
    return;
  if (fr_parse_options(s, &fr_env) != 0 || !fr_env.enable)
    return;
  fr_config cfg = {fr_env.min_age, fr_env.max_bytes};
  fr_recorder *r = fr_new(&cfg);
  if (!r)
    return;
  int err = fr_start(r);
  if (err != FR_OK) {
    fprintf(stderr, "fr: FR_OPTIONS: cannot start recording: %s\n",
            fr_strerror(err));
    fr_free(r);
    return;
  }
  fr_env_recorder = r;
  if (fr_env.exit_dump)
    atexit(fr_env_at_exit);
}

void fr_env_init(void) { pthread_once(&fr_env_once, fr_env_init_now); }

__attribute__((constructor)) static void fr_env_constructor(void) {
  fr_env_init();
}

FR_API fr_recorder *fr_default_recorder(void) { return fr_env_recorder; }
