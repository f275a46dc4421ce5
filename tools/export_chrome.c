// SPDX-License-Identifier: Apache-2.0
// export_chrome.c: frtool export --format=chrome: Chrome's trace-event JSON
// (B/E/i events per thread, thread names, lock hand-offs as flow events, a
// counter of the threads waiting for a lock), for small traces and viewers
// that read only JSON (speedscope, about:tracing). Written through fr_sink.
#include "fr_events.h"
#include "fr_export.h"

#include <stdlib.h>
#include <string.h>

// Events are formatted by hand into a line and written with one call:
// printf's floating point alone cost a Chrome export most of its time.
static char *put_u64(char *p, uint64_t v) {
  char digits[20];
  int n = 0;
  do
    digits[n++] = (char)('0' + v % 10);
  while (v /= 10);
  while (n)
    *p++ = digits[--n];
  return p;
}

static char *put_str(char *p, const char *text) {
  size_t n = strlen(text);
  memcpy(p, text, n);
  return p + n;
}

// Microseconds with three decimals, exactly: the trace-event format's unit.
static char *put_us(char *p, uint64_t ns) {
  p = put_u64(p, ns / 1000);
  uint32_t frac = (uint32_t)(ns % 1000);
  *p++ = '.';
  *p++ = (char)('0' + frac / 100);
  *p++ = (char)('0' + frac / 10 % 10);
  *p++ = (char)('0' + frac % 10);
  return p;
}

// A name as a JSON string, escaped once per (site, kind) and kept.
static const char *chrome_name(struct exporter *x, uint32_t kind,
                               uint32_t site) {
  struct name *n = export_name_of(x, kind, site);
  if (!n)
    return "\"?\"";
  if (!n->json) {
    char escaped[6 * (NAME_SHOWN_MAX + 16) + 3];
    fr_json_escape(escaped, sizeof(escaped), n->text);
    n->json = strdup(escaped);
    if (!n->json)
      return "\"?\"";
  }
  return n->json;
}

static void chrome_event(struct exporter *x, uint64_t ts, char ph,
                         uint32_t kind, uint32_t site, const char *arg_name,
                         int64_t arg, int arg_is_pointer,
                         const char *arg2_name, const char *arg2) {
  // Fixed parts, a name (NAME_SHOWN_MAX + 16 bytes, 6,243 escaped), a log's
  // text (200, 1,203 escaped), a site (300, 1,803 escaped) and a flow fit
  // with room to spare.
  enum { LINE_MAX = 16384 };
  char *line = (char *)fr_sink_reserve(x->sink, LINE_MAX), *p = line;
  const char *limit = line + LINE_MAX - 512; // the flow's part after
  if (x->first_event++)
    *p++ = ',';
  p = put_str(p, "\n{\"ph\":\"");
  *p++ = ph;
  p = put_str(p, "\",\"pid\":");
  p = put_u64(p, x->s->hdr.pid);
  p = put_str(p, ",\"tid\":");
  p = put_u64(p, x->tid);
  p = put_str(p, ",\"ts\":");
  p = put_us(p, ts);
  if (ph != 'E') {
    p = put_str(p, ",\"cat\":\"");
    p = put_str(p, export_item_category[kind]);
    p = put_str(p, "\",\"name\":");
    const char *name = chrome_name(x, kind, site);
    size_t n = strlen(name);
    if (n > (size_t)(limit - p))
      n = 0; // cannot happen: see above
    memcpy(p, name, n);
    p += n;
  }
  if (ph == 'i')
    p = put_str(p, ",\"s\":\"t\"");
  if (arg_name || arg2_name) {
    p = put_str(p, ",\"args\":{");
    if (arg_name)
      p += snprintf(p, 96, arg_is_pointer ? "\"%s\":\"%#llx\"" : "\"%s\":%lld",
                    arg_name, (long long)arg);
    if (arg2_name) {
      p += snprintf(p, 64, "%s\"%s\":", arg_name ? "," : "", arg2_name);
      p += fr_json_escape(p, (size_t)(limit - p) / 2, arg2);
    }
    const struct fr_site_info *si = fr_snapshot_site(x->s, site);
    if (si && ph != 'E' && si->file[0]) {
      char where[300];
      snprintf(where, sizeof(where), "%.255s:%u", si->file, si->line);
      p = put_str(p, ",\"site\":");
      p += fr_json_escape(p, (size_t)(limit - p), where);
    }
    *p++ = '}';
  }
  *p++ = '}';
  if (x->flow_out || x->flow_in) { // Chrome's flow events, bound to this one
    p += snprintf(p, 160,
                  ",\n{\"ph\":\"%s\"%s,\"id\":%llu,\"cat\":\"lock\",\"name\":"
                  "\"handoff\",\"pid\":%u,\"tid\":%u,\"ts\":",
                  x->flow_out ? "s" : "f", x->flow_out ? "" : ",\"bp\":\"e\"",
                  (unsigned long long)(x->flow_out ? x->flow_out : x->flow_in),
                  x->s->hdr.pid, x->tid);
    p = put_us(p, ts);
    *p++ = '}';
  }
  fr_sink_commit(x->sink, (size_t)(p - line));
}

static void chrome_string(struct exporter *x, const char *text) {
  char escaped[6 * 256 + 3];
  fr_json_escape(escaped, sizeof(escaped), text);
  fr_sink_write(x->sink, escaped, strlen(escaped));
}

static void chrome_begin(struct exporter *x) {
  fr_sink_printf(x->sink, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
}

static void chrome_thread_begin(struct exporter *x, uint64_t first_ns) {
  (void)first_ns;
  fr_sink_printf(x->sink,
                 "%s\n{\"ph\":\"M\",\"pid\":%u,\"tid\":%u,"
                 "\"name\":\"thread_name\",\"args\":{\"name\":",
                 x->first_event++ ? "," : "", x->s->hdr.pid, x->tid);
  chrome_string(x, x->thread_name);
  fr_sink_printf(x->sink, "}}");
}

static void chrome_slice_begin(struct exporter *x, uint64_t ts,
                               const struct item *it) {
  chrome_event(x, ts, 'B', it->kind, it->site, it->arg_name, it->arg,
               it->arg_is_pointer, NULL, NULL);
}

static void chrome_slice_end(struct exporter *x, uint64_t ts,
                             const struct item *it, uint64_t took,
                             const struct export_args *end) {
  (void)took;
  chrome_event(x, ts, 'E', it->kind, it->site, end->name, end->value,
               end->is_pointer, end->name2, end->text2);
}

static void chrome_instant(struct exporter *x, uint64_t ts, uint32_t kind,
                           uint32_t site, const struct export_args *a) {
  chrome_event(x, ts, 'i', kind, site, a->name, a->value, a->is_pointer,
               a->name2, a->text2);
}

static void chrome_wait_counter(struct exporter *x, const char *name,
                                const struct export_step *steps, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    fr_sink_printf(x->sink,
                   ",\n{\"ph\":\"C\",\"pid\":%u,\"ts\":%.3f,\"name\":\"%s\","
                   "\"args\":{\"waiting\":%d}}",
                   x->s->hdr.pid, (double)steps[i].ns / 1e3, name,
                   steps[i].level);
}

static int chrome_end(struct exporter *x) {
  fr_sink_printf(x->sink, "\n],\"otherData\":{\"program\":");
  chrome_string(x, x->s->hdr.program);
  fr_sink_printf(x->sink, ",\"pid\":%u}}\n", x->s->hdr.pid);
  return 0;
}

const struct export_format export_chrome = {
    .name = "chrome",
    .extension = ".json",
    .streamed = 1,
    .handoffs = 1,
    .begin = chrome_begin,
    .thread_begin = chrome_thread_begin,
    .slice_begin = chrome_slice_begin,
    .slice_end = chrome_slice_end,
    .instant = chrome_instant,
    .wait_counter = chrome_wait_counter,
    .end = chrome_end,
};
