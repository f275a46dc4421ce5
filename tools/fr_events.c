// SPDX-License-Identifier: Apache-2.0
// fr_events.c: words for events (see fr_events.h).
#include "fr_events.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

const char *fr_site_event_name(uint32_t site_event, char buf[24]) {
  switch (site_event) {
  case FR_SEV_ACQUIRE:
    return "acquire";
  case FR_SEV_WAIT:
    return "wait";
  case FR_SEV_ACQUIRED:
    return "acquired";
  case FR_SEV_RELEASE:
    return "release";
  case FR_SEV_COND_WAIT:
    return "cond-wait";
  case FR_SEV_COND_WOKEN:
    return "cond-woken";
  case FR_SEV_SIGNAL:
    return "signal";
  case FR_SEV_CALL:
    return "call";
  case FR_SEV_RETURN:
    return "return";
  case FR_SEV_TASK_BEGIN:
    return "task-begin";
  case FR_SEV_TASK_END:
    return "task-end";
  case FR_SEV_REGION_BEGIN:
    return "region-begin";
  case FR_SEV_REGION_END:
    return "region-end";
  case FR_SEV_LOG:
    return "log";
  }
  snprintf(buf, 24, "site-event-%u", site_event);
  return buf;
}

const char *fr_blocking_arg_name(uint32_t detail) {
  switch (detail & 0xff) {
  case FR_ARG_NONE:
    return NULL;
  case FR_ARG_FD:
    return "fd";
  case FR_ARG_PID:
    return "pid";
  case FR_ARG_THREAD:
    return "thread";
  case FR_ARG_ADDR:
    return "addr";
  case FR_ARG_COUNT:
    return "count";
  case FR_ARG_USEC:
    return "usec";
  case FR_ARG_SEC:
    return "sec";
  case FR_ARG_CLOCK:
    return "clock";
  }
  return "arg";
}

void fr_format_blocking_arg(uint32_t detail, int64_t value, char *buf,
                            size_t size) {
  const char *what = fr_blocking_arg_name(detail);
  uint32_t arg = detail & 0xff;
  if (!what)
    buf[0] = 0;
  else if (arg == FR_ARG_ADDR || arg == FR_ARG_THREAD)
    snprintf(buf, size, "%s=%#llx", what, (unsigned long long)value);
  else
    snprintf(buf, size, "%s=%lld", what, (long long)value);
}

const char *fr_format_ns(double ns, char buf[32]) {
  if (ns < 1e3)
    snprintf(buf, 32, "%.0fns", ns);
  else if (ns < 1e6)
    snprintf(buf, 32, "%.1fus", ns / 1e3);
  else if (ns < 1e9)
    snprintf(buf, 32, "%.3fms", ns / 1e6);
  else
    snprintf(buf, 32, "%.3fs", ns / 1e9);
  return buf;
}

// One character of a JSON string, escaped, into out (room for 6); its length.
static size_t json_escape_char(unsigned char c, char out[7]) {
  if (c == '"' || c == '\\') {
    out[0] = '\\';
    out[1] = (char)c;
    return 2;
  }
  if (c < 0x20 || c == '<' || c == '>' || c == '&')
    return (size_t)snprintf(out, 7, "\\u%04x", c);
  out[0] = (char)c;
  return 1;
}

size_t fr_utf8_sequence(const unsigned char *p) {
  unsigned c = p[0];
  if (c < 0x80)
    return 1;
  size_t len = c >= 0xc2 && c <= 0xdf   ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
  for (size_t k = 1; k < len; k++)
    if ((p[k] & 0xc0) != 0x80) // also stops at the NUL
      return 0;
  // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
  if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) ||
      (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
    return 0;
  return len;
}

// The next character of text at *p as JSON, into out (room for 6 bytes);
// its length. Advances *p past it. A byte that starts no valid UTF-8
// sequence is U+FFFD: a JSON text is UTF-8, and one bad byte in a log
// message must not make the whole export unreadable.
static size_t json_next(const unsigned char **p, char out[7]) {
  size_t len = fr_utf8_sequence(*p);
  if (len == 1) {
    len = json_escape_char(**p, out);
    ++*p;
    return len;
  }
  if (len == 0) {
    ++*p;
    memcpy(out, "\\ufffd", 6);
    return 6;
  }
  memcpy(out, *p, len);
  *p += len;
  return len;
}

size_t fr_json_escape(char *out, size_t size, const char *text) {
  size_t n = 0;
  if (size < 3)
    return 0;
  out[n++] = '"';
  for (const unsigned char *p = (const unsigned char *)text; *p;) {
    char one[7];
    size_t len = json_next(&p, one);
    if (n + len + 2 > size) // the closing quote and the NUL must fit
      break;
    memcpy(out + n, one, len);
    n += len;
  }
  out[n++] = '"';
  out[n] = 0;
  return n;
}

void fr_json_string(FILE *out, const char *text) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)text; *p;) {
    char one[7];
    fwrite(one, 1, json_next(&p, one), out);
  }
  fputc('"', out);
}

const char *fr_errno_name(int64_t err, char buf[24]) {
  const char *name =
      err > 0 && err < 4096 ? strerrorname_np((int)err) : NULL;
  if (name)
    return name;
  snprintf(buf, 24, "%lld", (long long)err);
  return buf;
}

// What the lock object is called in the fields of a lock site's events.
static const char *lock_word(const struct fr_site_info *site) {
  if (!site)
    return "obj";
  switch (FR_LOCK_KIND(site->detail)) {
  case FR_LOCK_SEMAPHORE:
    return "sem";
  case FR_LOCK_CONDITION:
    return "cond";
  }
  return "lock";
}

void fr_format_site_fields(const struct fr_site_info *site,
                           const struct fr_event *ev, char *buf, size_t size) {
  char e[24];
  const uint64_t *f = ev->field;
  buf[0] = 0;
  switch (ev->site_event) {
  case FR_SEV_ACQUIRE:
  case FR_SEV_ACQUIRED:
  case FR_SEV_COND_WOKEN:
    if (ev->nfields >= 2 && fr_unzigzag(f[1]) != 0)
      snprintf(buf, size, "%s=%#llx error=%s", lock_word(site),
               (unsigned long long)f[0], fr_errno_name(fr_unzigzag(f[1]), e));
    else if (ev->nfields >= 1)
      snprintf(buf, size, "%s=%#llx", lock_word(site), (unsigned long long)f[0]);
    return;
  case FR_SEV_WAIT:
  case FR_SEV_RELEASE:
  case FR_SEV_SIGNAL:
    if (ev->nfields >= 1)
      snprintf(buf, size, "%s=%#llx", lock_word(site), (unsigned long long)f[0]);
    return;
  case FR_SEV_COND_WAIT:
    if (ev->nfields >= 2)
      snprintf(buf, size, "cond=%#llx mutex=%#llx", (unsigned long long)f[0],
               (unsigned long long)f[1]);
    return;
  case FR_SEV_CALL: {
    if (ev->nfields >= 1)
      fr_format_blocking_arg(site ? site->detail : 0xff, fr_unzigzag(f[0]),
                             buf, size);
    return;
  }
  case FR_SEV_TASK_BEGIN:
  case FR_SEV_TASK_END:
  case FR_SEV_REGION_BEGIN:
  case FR_SEV_REGION_END:
    if (ev->nfields >= 1)
      snprintf(buf, size, "task=%llu", (unsigned long long)f[0]);
    return;
  case FR_SEV_LOG: {
    // The text, with control characters shown as '?', so a line stays one.
    size_t at = (size_t)snprintf(buf, size, "task=%llu \"",
                                 (unsigned long long)(ev->nfields ? f[0] : 0));
    for (uint32_t k = 0; k < ev->text_len && at + 2 < size; k++) {
      char ch = ev->text[k];
      buf[at++] = (unsigned char)ch < 0x20 ? '?' : ch;
    }
    if (at + 1 < size)
      buf[at++] = '"';
    buf[at < size ? at : size - 1] = 0;
    return;
  }
  case FR_SEV_RETURN:
    if (ev->nfields >= 2)
      snprintf(buf, size, "result=%lld errno=%s", (long long)fr_unzigzag(f[0]),
               fr_errno_name(fr_unzigzag(f[1]), e));
    else if (ev->nfields >= 1)
      snprintf(buf, size, "result=%lld", (long long)fr_unzigzag(f[0]));
    return;
  }
  // An event kind this frtool does not know: its raw fields.
  size_t at = 0;
  for (uint32_t k = 0; k < ev->nfields && at < size; k++)
    at += (size_t)snprintf(buf + at, size - at, "%sf%u=%llu", k ? " " : "", k,
                           (unsigned long long)f[k]);
}

const char *fr_crash_code_name(int sig, int code) {
  // The kernel's reasons (si_code > 0) by signal, then who sent it.
  static const char *const segv[] = {NULL, "SEGV_MAPERR: address not mapped",
                                     "SEGV_ACCERR: no permission for the access",
                                     "SEGV_BNDERR: outside the bounds",
                                     "SEGV_PKUERR: protection key"};
  static const char *const bus[] = {NULL, "BUS_ADRALN: misaligned address",
                                    "BUS_ADRERR: no such physical address",
                                    "BUS_OBJERR: object error (a mapped file cut short?)",
                                    "BUS_MCEERR_AR: memory error",
                                    "BUS_MCEERR_AO: memory error"};
  static const char *const ill[] = {NULL, "ILL_ILLOPC: illegal opcode",
                                    "ILL_ILLOPN: illegal operand",
                                    "ILL_ILLADR: illegal addressing mode",
                                    "ILL_ILLTRP: illegal trap",
                                    "ILL_PRVOPC: privileged opcode",
                                    "ILL_PRVREG: privileged register",
                                    "ILL_COPROC: coprocessor error",
                                    "ILL_BADSTK: internal stack error"};
  static const char *const fpe[] = {NULL, "FPE_INTDIV: integer divide by zero",
                                    "FPE_INTOVF: integer overflow",
                                    "FPE_FLTDIV: floating-point divide by zero",
                                    "FPE_FLTOVF: floating-point overflow",
                                    "FPE_FLTUND: floating-point underflow",
                                    "FPE_FLTRES: floating-point inexact result",
                                    "FPE_FLTINV: invalid floating-point operation",
                                    "FPE_FLTSUB: subscript out of range"};
#define FR_CODE_IN(table)                                                      \
  (code > 0 && (size_t)code < sizeof(table) / sizeof(table[0]) ? table[code] : NULL)
  if (code == SI_KERNEL)
    return "SI_KERNEL: raised by the kernel with no address (on x86-64, a "
           "general protection fault: a non-canonical pointer, say)";
  if (code > 0) {
    switch (sig) {
    case SIGSEGV:
      return FR_CODE_IN(segv);
    case SIGBUS:
      return FR_CODE_IN(bus);
    case SIGILL:
      return FR_CODE_IN(ill);
    case SIGFPE:
      return FR_CODE_IN(fpe);
    }
    return NULL;
  }
#undef FR_CODE_IN
  switch (code) {
  case SI_USER:
    return "SI_USER: sent by kill()";
  case SI_QUEUE:
    return "SI_QUEUE: sent by sigqueue()";
  case SI_TKILL:
    return "SI_TKILL: sent by tgkill() (raise(), abort())";
  }
  return NULL;
}

// ", address 0x10 (SEGV_MAPERR: address not mapped), pc 0x5555... =
// prog+0x1139": what a crash snapshot's header says of the fault.
static void format_crash_fault(const struct fr_file_header *h, char *buf,
                               size_t size) {
  size_t at = 0;
#define FR_ADD(...)                                                            \
  do {                                                                         \
    if (at < size)                                                             \
      at += (size_t)snprintf(buf + at, size - at, __VA_ARGS__);                \
  } while (0)
  const char *reason = h->crash_flags & FR_CRASH_CODE
                           ? fr_crash_code_name((int)h->trigger_detail,
                                                h->crash_code)
                           : NULL;
  if (h->crash_flags & FR_CRASH_ADDR)
    FR_ADD(", address 0x%llx", (unsigned long long)h->crash_addr);
  if (reason)
    FR_ADD(" (%s)", reason);
  else if (h->crash_flags & FR_CRASH_CODE)
    FR_ADD(" (si_code %d)", h->crash_code);
  if (h->crash_flags & FR_CRASH_PC)
    FR_ADD(", pc 0x%llx", (unsigned long long)h->crash_pc);
  if (h->crash_flags & FR_CRASH_MODULE) {
    char module[sizeof(h->crash_module)];
    size_t n = 0;
    for (; n + 1 < sizeof(module) && h->crash_module[n]; n++) {
      char c = h->crash_module[n];
      module[n] = c > ' ' && c < 127 ? c : '?'; // a name from the file
    }
    module[n] = 0;
    FR_ADD(" = %s+0x%llx", module, (unsigned long long)h->crash_module_pc);
  }
#undef FR_ADD
}

void fr_format_trigger(const struct fr_snapshot *s, char *buf, size_t size) {
  const struct fr_file_header *h = &s->hdr;
  char thread[24] = "";
  if (h->trigger_thread)
    snprintf(thread, sizeof(thread), " on T%u", h->trigger_thread);
  switch (h->trigger) {
  case FR_TRIGGER_API:
    snprintf(buf, size, "api");
    return;
  case FR_TRIGGER_EXIT:
    snprintf(buf, size, "exit");
    return;
  case FR_TRIGGER_SIGNAL:
  case FR_TRIGGER_CRASH: {
    int sig = (int)h->trigger_detail;
    const char *name = sig ? sigabbrev_np(sig) : NULL;
    char other[32] = "";
    if (!name && sig >= SIGRTMIN && sig <= SIGRTMAX)
      snprintf(other, sizeof(other), " SIGRTMIN+%d", sig - SIGRTMIN);
    else if (!name && sig)
      snprintf(other, sizeof(other), " signal %d", sig);
    char fault[320] = "";
    if (h->trigger == FR_TRIGGER_CRASH)
      format_crash_fault(h, fault, sizeof(fault));
    snprintf(buf, size, "%s%s%s%s%s%s",
             h->trigger == FR_TRIGGER_SIGNAL ? "signal" : "crash",
             name ? " SIG" : "", name ? name : "", other, thread, fault);
    return;
  }
  case FR_TRIGGER_CONDITION: {
    static const char *const what[] = {"?", "lock wait", "blocking call",
                                       "function"};
    const struct fr_site_info *si = fr_snapshot_site(s, h->trigger_site);
    char where[300] = "";
    if (si && si->callee[0])
      snprintf(where, sizeof(where), " at %s in %s %s:%u", si->callee,
               si->function, si->file, si->line);
    else if (si)
      snprintf(where, sizeof(where), " in %s %s:%u", si->function, si->file,
               si->line);
    snprintf(buf, size, "condition: %s %.3fms > %.3fms%s%s",
             what[h->trigger_detail <= 3 ? h->trigger_detail : 0],
             (double)h->trigger_ns / 1e6, (double)h->trigger_threshold_ns / 1e6,
             thread, where);
    return;
  }
  }
  snprintf(buf, size, "unknown (%u)", h->trigger);
}

// Copies name into out (size bytes), with what lies inside the outermost
// pairs of open/close brackets replaced by "...".
static void elide_inside(const char *name, char open, char close, char *out,
                         size_t size) {
  size_t n = 0;
  int depth = 0;
  for (const char *p = name; *p && n + 5 < size; p++) {
    if (depth == 0 && !strncmp(p, "operator", 8)) {
      // operator<, operator<<=, operator(): brackets that are its name.
      size_t k = 8;
      while (k < 11 && p[k] && strchr("<>=()[]!+-*/%^&|~,", p[k]))
        k++;
      if (n + k + 5 >= size)
        break;
      memcpy(out + n, p, k);
      n += k;
      p += k - 1;
    } else if (*p == open) {
      if (depth++ == 0) {
        memcpy(out + n, (char[]){open, '.', '.', '.'}, 4);
        n += 4;
      }
    } else if (*p == close && depth > 0) {
      if (--depth == 0)
        out[n++] = close;
    } else if (depth == 0) {
      out[n++] = *p;
    }
  }
  out[n] = 0;
}

const char *fr_short_name(const char *name, char buf[FR_SHORT_NAME + 1]) {
  if (strlen(name) <= FR_SHORT_NAME)
    return name;
  char shorter[1024], shortest[1024];
  const char *best = shorter;
  elide_inside(name, '<', '>', shorter, sizeof(shorter));
  if (strlen(shorter) > FR_SHORT_NAME) {
    elide_inside(shorter, '(', ')', shortest, sizeof(shortest));
    best = shortest;
  }
  size_t len = strlen(best);
  if (len <= FR_SHORT_NAME) {
    memcpy(buf, best, len + 1);
    return buf;
  }
  memcpy(buf, best, FR_SHORT_NAME - 3);
  memcpy(buf + FR_SHORT_NAME - 3, "...", 4);
  return buf;
}
