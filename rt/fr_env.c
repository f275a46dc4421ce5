// SPDX-License-Identifier: Apache-2.0
// fr_env.c: zero-code-change control through the FR_OPTIONS variable.
//
//   FR_OPTIONS='max_bytes=4MiB,min_age=5s,output=/var/tmp/%e-%p-%n.fr,
//               lock_wait=20ms,slow=handle_request:100ms'
//
// Setting FR_OPTIONS (even to "") starts the default recorder before main and,
// unless exit_dump=0, writes a snapshot at exit; the trigger keys (signal,
// crash, lock_wait, blocking, slow, rate, max_dumps) go to fr_trigger.c. The
// keys are in fr_options.inc.
// A malformed value gets one line on stderr naming the bad part, and the
// program runs on with recording off: a typo must never take a service down.
//
// Concurrency: fr_env_init runs once (pthread_once) from the first module
// constructor or this file's own; the exit destructor runs in the exiting
// thread.
#include "fr_internal.h"
#include "fr_text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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
  int signal;
  int crash;
  uint64_t lock_wait, blocking; // 0: off
  struct fr_env_watch {
    char function[128];
    uint64_t ns;
  } slow;
  uint64_t rate;
  uint32_t max_dumps;
  double budget; // percent; negative: no limit
  uint64_t rearm; // 0: off
  int counted; // enum fr_counted_mode
};

static struct fr_env_options fr_env;
static fr_recorder *fr_env_recorder;
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
    {"GiB", 1073741824.0}, {"T", 1099511627776.0}, {"TiB", 1099511627776.0},
    {NULL, 0},
};

static int fr_parse_duration(const char *v, size_t n, uint64_t *out) {
  return fr_parse_scaled(v, n, fr_duration_units, 1, out);
}

static int fr_parse_size(const char *v, size_t n, uint64_t *out) {
  return fr_parse_scaled(v, n, fr_size_units, 0, out);
}

// max_bytes: what the pool can cut into chunks (fr_pool.c) and the address
// space can hold; below the smallest window, a typo.
static int fr_parse_window(const char *v, size_t n, uint64_t *out) {
  return fr_parse_size(v, n, out) == 0 && *out >= FR_MIN_MAX_BYTES &&
                 *out <= FR_MAX_MAX_BYTES
             ? 0
             : -1;
}

// min_age: converted to ticks by multiplying with the tick rate, which must
// not overflow 64 bits (30 days at 10 GHz is 2.6e16 ticks).
static int fr_parse_retention(const char *v, size_t n, uint64_t *out) {
  return fr_parse_duration(v, n, out) == 0 && *out >= 1000000 &&
                 *out <= FR_MAX_MIN_AGE_NS
             ? 0
             : -1;
}

static int fr_parse_threshold(const char *v, size_t n, uint64_t *out) {
  if (n == 3 && !strncasecmp(v, "off", 3))
    return *out = 0, 0;
  return fr_parse_duration(v, n, out) == 0 && *out > 0 ? 0 : -1;
}

static int fr_parse_count(const char *v, size_t n, uint32_t *out) {
  uint64_t value = 0;
  if (n == 0 || n > 9)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (v[i] < '0' || v[i] > '9')
      return -1;
    value = value * 10 + (uint64_t)(v[i] - '0');
  }
  *out = (uint32_t)value;
  return 0;
}

// Which muted functions the budget counts: on, all or off.
static int fr_parse_tier(const char *v, size_t n, int *out) {
  static const struct {
    const char *name;
    int mode;
  } modes[] = {{"on", FR_COUNTED_CHEAP}, {"all", FR_COUNTED_ALL},
               {"off", FR_COUNTED_NONE}};
  for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
    if (strlen(modes[i].name) == n && !strncasecmp(v, modes[i].name, n))
      return *out = modes[i].mode, 0;
  return -1;
}

// A share of time: a percentage above 0 and below 100, with or without the
// %, or off (no limit).
static int fr_parse_percent(const char *v, size_t n, double *out) {
  if (n == 3 && !strncasecmp(v, "off", 3))
    return *out = FR_BUDGET_UNLIMITED, 0;
  if (n && v[n - 1] == '%')
    n--;
  char buf[32];
  if (n == 0 || n >= sizeof(buf) || v[0] < '0' || v[0] > '9')
    return -1;
  memcpy(buf, v, n);
  buf[n] = 0;
  char *end;
  errno = 0;
  double value = strtod(buf, &end);
  if (errno || *end || !(value > 0 && value < 100))
    return -1;
  *out = value;
  return 0;
}

static int fr_parse_signal(const char *v, size_t n, int *out) {
  static const struct {
    const char *name;
    int number;
  } names[] = {{"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"HUP", SIGHUP},
               {"QUIT", SIGQUIT}, {"PWR", SIGPWR},   {"URG", SIGURG},
               {"WINCH", SIGWINCH}};
  if (n == 3 && !strncasecmp(v, "off", 3))
    return *out = 0, 0;
  if (n > 3 && !strncasecmp(v, "SIG", 3))
    v += 3, n -= 3;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strlen(names[i].name) == n && !strncasecmp(v, names[i].name, n))
      return *out = names[i].number, 0;
  // RTMIN, RTMIN+n, RTMAX, RTMAX-n: the real-time signals as the shell and
  // frtool name them.
  if (n >= 5 && (!strncasecmp(v, "RTMIN", 5) || !strncasecmp(v, "RTMAX", 5))) {
    int max = !strncasecmp(v, "RTMAX", 5);
    uint32_t offset = 0;
    if (n > 5 && (v[5] != (max ? '-' : '+') ||
                  fr_parse_count(v + 6, n - 6, &offset) != 0))
      return -1;
    int number = max ? SIGRTMAX - (int)offset : SIGRTMIN + (int)offset;
    if (number < SIGRTMIN || number > SIGRTMAX)
      return -1;
    return *out = number, 0;
  }
  uint32_t number;
  if (fr_parse_count(v, n, &number) != 0 || number == 0 ||
      number >= (uint32_t)SIGRTMAX + 1 || number == SIGKILL ||
      number == SIGSTOP || number == SIGSEGV || number == SIGBUS ||
      number == SIGFPE || number == SIGILL || number == SIGABRT)
    return -1;
  *out = (int)number;
  return 0;
}

static int fr_parse_watch(const char *v, size_t n, struct fr_env_watch *out) {
  if (n == 3 && !strncasecmp(v, "off", 3)) {
    out->function[0] = 0;
    out->ns = 0;
    return 0;
  }
  const char *colon = memchr(v, ':', n);
  if (!colon || colon == v || (size_t)(colon - v) >= sizeof(out->function))
    return -1;
  size_t flen = (size_t)(colon - v);
  if (fr_parse_threshold(colon + 1, n - flen - 1, &out->ns) != 0 || !out->ns)
    return -1;
  memcpy(out->function, v, flen);
  out->function[flen] = 0;
  return 0;
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
  if (!getcwd(cwd, sizeof(cwd)))
    return -1;
  struct fr_text t = fr_text_in(out, PATH_MAX);
  fr_text_str(&t, cwd);
  fr_text_add(&t, "/", 1);
  fr_text_add(&t, v, n);
  return t.overflow ? -1 : 0;
}

// Each parser stores into a field of o named after the option; v and vlen are
// the value text in scope where these expand.
#define fr_parse_into_bool(field) fr_parse_bool(v, vlen, &o->field)
#define fr_parse_into_duration(field) fr_parse_duration(v, vlen, &o->field)
#define fr_parse_into_size(field) fr_parse_size(v, vlen, &o->field)
#define fr_parse_into_window(field) fr_parse_window(v, vlen, &o->field)
#define fr_parse_into_retention(field) fr_parse_retention(v, vlen, &o->field)
#define fr_parse_into_path(field) fr_parse_path(v, vlen, o->field)
#define fr_parse_into_threshold(field) fr_parse_threshold(v, vlen, &o->field)
#define fr_parse_into_count(field) fr_parse_count(v, vlen, &o->field)
#define fr_parse_into_signal(field) fr_parse_signal(v, vlen, &o->field)
#define fr_parse_into_watch(field) fr_parse_watch(v, vlen, &o->field)
#define fr_parse_into_percent(field) fr_parse_percent(v, vlen, &o->field)
#define fr_parse_into_tier(field) fr_parse_tier(v, vlen, &o->field)

static const char *fr_expect(const char *parser) {
  if (!strcmp(parser, "bool"))
    return "0 or 1";
  if (!strcmp(parser, "duration"))
    return "a duration such as 500ms, 5s or 2m";
  if (!strcmp(parser, "size"))
    return "a size such as 65536, 512KiB or 16MiB";
  if (!strcmp(parser, "window"))
    return "a size from 64KiB to 64TiB such as 512KiB or 16MiB";
  if (!strcmp(parser, "retention"))
    return "a duration from 1ms to 720h such as 500ms, 5s or 2m";
  if (!strcmp(parser, "threshold"))
    return "a duration such as 20ms, or off";
  if (!strcmp(parser, "count"))
    return "a whole number";
  if (!strcmp(parser, "signal"))
    return "a signal such as USR2, SIGUSR1, RTMIN+3 or 12 (not one the crash "
           "trigger uses), or off";
  if (!strcmp(parser, "percent"))
    return "a percentage above 0 and below 100 such as 1% or 0.5%, or off";
  if (!strcmp(parser, "tier"))
    return "on, all or off";
  if (!strcmp(parser, "watch"))
    return "FUNCTION:DURATION such as handle_request:50ms, or off";
  return "a path; % may only be followed by p, t, n, e or %";
}

// One line on stderr for a bad FR_OPTIONS: what, the user's text (made safe
// to echo), why, and that recording is off.
static void fr_env_complain(const char *what, const char *value, size_t n,
                            const char *after, const char *expect,
                            const char *close) {
  char line[512];
  struct fr_text t = fr_text_in(line, sizeof(line));
  fr_text_str(&t, "fr: FR_OPTIONS: ");
  fr_text_str(&t, what);
  fr_text_value(&t, value, n);
  fr_text_str(&t, after);
  fr_text_str(&t, expect);
  fr_text_str(&t, close);
  fr_text_str(&t, "; recording is off");
  fr_text_say(&t, line);
}

static int fr_parse_one(struct fr_env_options *o, const char *key, size_t klen,
                        const char *v, size_t vlen) {
#define FR_OPTION(name, parser, def, help)                                     \
  if (klen == sizeof(#name) - 1 && !strncmp(key, #name, klen)) {               \
    if (fr_parse_into_##parser(name) == 0)                                     \
      return 0;                                                                \
    fr_env_complain("bad value '", v, vlen, "' for " #name " (expected ",      \
                    fr_expect(#parser), ")");                                  \
    return -1;                                                                 \
  }
#include "fr_options.inc"
#undef FR_OPTION
  fr_env_complain("unknown option '", key, klen, "' (known:"
#define FR_OPTION(name, parser, def, help) " " #name
#include "fr_options.inc"
#undef FR_OPTION
                  ")", "", "");
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
      fr_env_complain("'", item, len, "' is not key=value", "", "");
      return -1;
    }
    size_t klen = (size_t)(eq - item);
    // "output=x.fr;max_bytes=1M": a ';' for a ',' would otherwise end up
    // in the file's name, and the option after it unread.
    const char *semicolon = memchr(eq, ';', len - klen);
    if (semicolon && memchr(semicolon, '=', (size_t)(item + len - semicolon))) {
      fr_env_complain("options are separated by ',', not ';' (in '", item,
                      len, "')", "", "");
      return -1;
    }
    if (fr_parse_one(o, item, klen, eq + 1, len - klen - 1) != 0)
      return -1;
  }
  return 0;
}

static void fr_env_init_now(void) {
  if (!fr_process_is_recorder())
    return; // another copy of the runtime records this process
  // In a setuid, setgid or file-capability process (AT_SECURE) the variable
  // came from a user who must not choose where a privileged program creates
  // files or how it handles signals: ignored, as the sanitizers' options are.
  const char *s = secure_getenv("FR_OPTIONS");
  if (!s) {
    if (getenv("FR_OPTIONS")) {
      char line[128];
      struct fr_text t = fr_text_in(line, sizeof(line));
      fr_text_str(&t, "fr: FR_OPTIONS is ignored in a privileged (setuid, "
                      "setgid or capability) process");
      fr_text_say(&t, line);
    }
    return;
  }
  if (fr_parse_options(s, &fr_env) != 0 || !fr_env.enable)
    return;
  fr_budget_set_rearm(fr_env.rearm);
  fr_budget_set_counted(fr_env.counted);
  fr_config cfg = {fr_env.min_age, fr_env.max_bytes, fr_env.budget};
  fr_recorder *r = fr_recorder_static(&cfg);
  int err = fr_start(r);
  if (err != FR_OK) {
    char line[256];
    struct fr_text t = fr_text_in(line, sizeof(line));
    fr_text_str(&t, "fr: FR_OPTIONS: cannot start recording: ");
    fr_text_str(&t, fr_strerror(err));
    fr_text_say(&t, line);
    return;
  }
  fr_env_recorder = r;
  struct fr_trigger_config trig = {
      .signal = fr_env.signal,
      .crash = fr_env.crash,
      .lock_wait_ns = fr_env.lock_wait,
      .blocking_ns = fr_env.blocking,
      .slow_ns = fr_env.slow.ns,
      .rate_ns = fr_env.rate,
      .max_dumps = fr_env.max_dumps,
  };
  memcpy(trig.slow_function, fr_env.slow.function, sizeof(trig.slow_function));
  fr_trigger_setup(r, fr_env.output, &trig);
}

// The first instrumented module's constructor calls this (its events are
// then recorded from the start), or the runtime's own constructor. A module
// constructor may belong to an instrumented allocator: nothing on this path
// allocates, uses stdio or starts a thread (the recorder is static, messages
// go out with write(2), the exit snapshot is a destructor, not atexit).
void fr_env_init(void) { pthread_once(&fr_env_once, fr_env_init_now); }

// The runtime's own constructor: what must wait until no module constructor
// is running starts here (the condition triggers' snapshot thread).
__attribute__((constructor)) static void fr_env_constructor(void) {
  fr_env_init();
  if (fr_env_recorder)
    fr_trigger_start_dumper();
}

// At exit (or when a dlopen()ed libfr.so goes): the exit snapshot, and the
// count of triggered snapshots that were not taken.
__attribute__((destructor)) static void fr_env_destructor(void) {
  if (!fr_env_recorder)
    return;
  fr_trigger_reap_writers(1);
  if (fr_env.exit_dump && fr_enabled(fr_env_recorder))
    fr_output_write(fr_env_recorder, fr_env.output,
                    &(struct fr_trigger_info){.trigger = FR_TRIGGER_EXIT});
  fr_trigger_report_dropped();
}

FR_API fr_recorder *fr_default_recorder(void) { return fr_env_recorder; }
