// SPDX-License-Identifier: Apache-2.0
// report.c: frtool report (export --format=html): one self-contained HTML
// page (tools/report.html, compiled in) with the snapshot's slices per
// thread, decimated to what a screen can show, their names, places and
// details, the folded stacks of the flame graph, and the summary's tables
// (fr_summary_json, of the analysis fed by the same replay as the timeline:
// one pass). Written to x->out.
#include "fr_events.h"
#include "fr_export.h"
#include "fr_trigger_call.h"
#include "frtool.h"
#include "report_html.h"

#include <stdlib.h>
#include <string.h>

// The page's timeline keeps apart what is at least window / this long: a
// slice shorter than that is merged with its short neighbours at the same
// depth into one slice that says how many it holds. So a 268 MB snapshot
// gives a page a browser opens (its 7 M slices become at most a few
// hundred thousand), while zooming 10x into a full-screen timeline still
// shows single calls as they were (REPORT_RESOLUTION, fr_export.h).
// Each slice: start, duration, depth, name, kind, how many it merges, and
// its detail (index + 1 in the details, 0 for none).
#define SLICE_WORDS 7

static uint32_t report_name(struct exporter *x, uint32_t kind, uint32_t site) {
  const struct name *n = export_name_of(x, kind, site);
  return n ? (uint32_t)(n - x->names) : 0;
}

static uint64_t detail_hash(const char *text) {
  uint64_t h = 0xcbf29ce484222325ull; // FNV-1a
  for (; *text; text++)
    h = (h ^ (unsigned char)*text) * 0x100000001b3ull;
  return h;
}

// The detail's index + 1 in the report's details, added when new; 0 when
// out of memory. Two texts with one hash are kept apart (the second is
// added again, not mistaken for the first).
static uint64_t report_detail(struct exporter *x, const char *text) {
  uint32_t *slot = fr_map_slot(&x->detail_by_hash, detail_hash(text));
  if (slot && *slot != UINT32_MAX && !strcmp(x->details[*slot], text))
    return (uint64_t)*slot + 1;
  if (fr_grow((void **)&x->details, &x->detail_cap, x->detail_count + 1,
              sizeof(*x->details)))
    return 0;
  char *copy = strdup(text);
  if (!copy)
    return 0;
  x->details[x->detail_count] = copy;
  if (slot && *slot == UINT32_MAX)
    *slot = x->detail_count;
  return ++x->detail_count;
}

// What a slice's detail says: the argument it began with and what its end
// said ("fd=5, result=-1, errno=EAGAIN"), as dump words them.
static uint64_t slice_detail(struct exporter *x, const struct item *it,
                             const char *end_name, int64_t end_arg,
                             const char *end2_name, const char *end2) {
  char text[160];
  size_t n = 0;
  text[0] = 0;
  if (it->arg_name)
    n += (size_t)snprintf(text + n, sizeof(text) - n,
                          it->arg_is_pointer ? "%s=%#llx" : "%s=%lld",
                          it->arg_name, (long long)it->arg);
  if (end_name && n < sizeof(text))
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s=%lld",
                          n ? ", " : "", end_name, (long long)end_arg);
  if (end2_name && end2 && n < sizeof(text))
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s=%s",
                          n ? ", " : "", end2_name, end2);
  return text[0] ? report_detail(x, text) : 0;
}

// A slice ends: kept with the thread's others until the thread is done.
static void report_slice_end(struct exporter *x, uint64_t ts,
                             const struct item *it, uint64_t took,
                             const struct export_args *end) {
  (void)ts;
  uint64_t depth = (uint64_t)(it - x->stack);
  if (depth > MAX_SHOWN_DEPTH) { // part of the frame drawn as "deeper"
    x->slices_too_deep++;
    return;
  }
  if (x->slice_words + SLICE_WORDS > x->slice_cap &&
      fr_grow((void **)&x->slices, &x->slice_cap, x->slice_words + SLICE_WORDS,
              sizeof(uint64_t)))
    return;
  uint64_t *w = x->slices + x->slice_words;
  w[0] = it->start_ns > x->start_ns ? it->start_ns - x->start_ns : 0;
  w[1] = took;
  w[2] = depth;
  w[3] = report_name(x, it->kind, it->site);
  w[4] = it->kind;
  w[5] = 1;
  w[6] = slice_detail(x, it, end->name, end->value, end->name2, end->text2);
  x->slice_words += SLICE_WORDS;
}

static int slice_by_depth(const void *a, const void *b) {
  const uint64_t *x = a, *y = b;
  if (x[2] != y[2])
    return x[2] < y[2] ? -1 : 1;
  return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int slice_order(const void *a, const void *b) {
  const uint64_t *x = a, *y = b;
  if (x[0] != y[0])
    return x[0] < y[0] ? -1 : 1;
  return x[2] < y[2] ? -1 : x[2] > y[2]; // outer first
}

// Merges runs of slices shorter than the resolution at the same depth,
// each run at most a resolution wide, in place; returns how many slices
// were merged away.
static uint64_t report_decimate(struct exporter *x, uint64_t resolution) {
  uint32_t n = x->slice_words / SLICE_WORDS, out = 0;
  uint64_t merged = 0;
  fr_sort(x->slices, n, SLICE_WORDS * sizeof(uint64_t), slice_by_depth);
  for (uint32_t i = 0; i < n;) {
    uint64_t *first = x->slices + (size_t)i * SLICE_WORDS;
    uint32_t j = i + 1;
    uint64_t end = first[0] + first[1];
    uint64_t name = first[3], kind = first[4];
    if (first[1] < resolution) {
      while (j < n) {
        const uint64_t *next = x->slices + (size_t)j * SLICE_WORDS;
        if (next[2] != first[2] || next[1] >= resolution ||
            next[0] + next[1] > first[0] + resolution)
          break;
        if (next[0] + next[1] > end)
          end = next[0] + next[1];
        if (next[3] != name)
          name = UINT64_MAX;
        if (next[4] != kind)
          kind = UINT64_MAX;
        j++;
      }
    }
    uint64_t *dst = x->slices + (size_t)out * SLICE_WORDS;
    memmove(dst, first, SLICE_WORDS * sizeof(uint64_t));
    if (j - i > 1) {
      dst[1] = end - dst[0];
      dst[3] = name != UINT64_MAX ? name : report_name(x, ITEM_MERGED, 0);
      dst[4] = kind != UINT64_MAX ? kind : ITEM_MERGED;
      dst[5] = j - i;
      dst[6] = 0; // each had its own
      merged += j - i - 1;
    }
    out++;
    i = j;
  }
  x->slice_words = out * SLICE_WORDS;
  fr_sort(x->slices, out, SLICE_WORDS * sizeof(uint64_t), slice_order);
  return merged;
}

// Writes the thread's slices, in start order, and forgets them.
static void report_thread(struct exporter *x) {
  x->slice_total += x->slice_words / SLICE_WORDS;
  uint64_t end = export_to_ns(x->s, x->s->hdr.snapshot_ticks);
  uint64_t window = end > x->start_ns ? end - x->start_ns : 0;
  x->slices_merged += report_decimate(x, window / REPORT_RESOLUTION);
  fprintf(x->out, "%s{\"index\":%u,\"tid\":%u,\"name\":",
          x->first_event++ ? ",\n" : "", x->thread_index, x->tid);
  fr_json_string(x->out, x->thread_name);
  fprintf(x->out, ",\"slices\":[");
  for (uint32_t i = 0; i < x->slice_words; i++)
    fprintf(x->out, "%s%llu", i ? "," : "", (unsigned long long)x->slices[i]);
  fprintf(x->out, "]}");
  x->slice_words = 0;
}

static void report_begin(struct exporter *x) {
  const char *page = (const char *)fr_report_html;
  const char *mark = strstr(page, "/*FR_REPORT_DATA*/");
  fwrite(page, 1, (size_t)(mark - page), x->out);
  char why[512];
  fr_format_trigger(x->s, why, sizeof(why));
  fprintf(x->out, "{\"program\":");
  fr_json_string(x->out, x->s->hdr.program);
  fprintf(x->out, ",\"pid\":%u,\"trigger\":", x->s->hdr.pid);
  fr_json_string(x->out, why);
  fprintf(x->out, ",\"start_ns\":0,\"threads\":[\n");
}

// [path, self ns, the frame's kind, of its self ns how much is in calls
// not whole in the window, and for a function its own time drawn in other
// frames (struct item's self_elsewhere_ns: blocking calls, waits, regions,
// calls muted while they ran) in all its calls and in those not whole]: what
// the page needs to say why the flame graph and the functions table differ.
static void report_folded_line(struct exporter *x, const char *path,
                               const struct stack_node *sn) {
  fprintf(x->out, "%s[", x->folded_lines++ ? "," : "");
  fr_json_string(x->out, path);
  fprintf(x->out, ",%llu,%u,%llu,%llu,%llu]", (unsigned long long)sn->self_ns,
          sn->kind, (unsigned long long)sn->incomplete_ns,
          (unsigned long long)sn->self_elsewhere_ns,
          (unsigned long long)sn->self_elsewhere_incomplete_ns);
}

// Where the page marks the trigger: the call that fired a condition (its
// thread and span), or the moment any other trigger took the snapshot.
static void report_trigger(struct exporter *x, uint64_t end) {
  const struct fr_chunk_view **order = fr_snapshot_chunks_in_order(x->s);
  uint64_t from = 0, to = 0;
  if (order && fr_trigger_call(x->s, order, &from, &to) == FR_TRIGGER_CALL_FOUND) {
    uint64_t a = export_to_ns(x->s, from), b = export_to_ns(x->s, to);
    fprintf(x->out, ",\"trigger_call\":{\"thread\":%u,\"from_ns\":%llu,\"to_ns\":%llu}",
            x->s->hdr.trigger_thread,
            (unsigned long long)(a > x->start_ns ? a - x->start_ns : 0),
            (unsigned long long)(b > x->start_ns ? b - x->start_ns : 0));
  } else {
    fprintf(x->out, ",\"trigger_call\":null");
  }
  free(order);
  fprintf(x->out, ",\"trigger_ns\":%llu",
          (unsigned long long)(end > x->start_ns ? end - x->start_ns : 0));
}

static int report_end(struct exporter *x) {
  uint64_t end = export_to_ns(x->s, x->s->hdr.snapshot_ticks);
  fprintf(x->out, "]");
  report_trigger(x, end);
  fprintf(x->out,
          ",\n\"end_ns\":%llu,\"slice_count\":%llu,\"slices_merged\":%llu,"
          "\"slices_too_deep\":%llu,\"max_depth\":%u,\"names\":[",
          (unsigned long long)(end > x->start_ns ? end - x->start_ns : 0),
          (unsigned long long)x->slice_total,
          (unsigned long long)x->slices_merged,
          (unsigned long long)x->slices_too_deep, MAX_SHOWN_DEPTH);
  for (uint32_t i = 0; i < x->name_count; i++) {
    fprintf(x->out, "%s", i ? "," : "");
    fr_json_string(x->out, x->names[i].text);
  }
  // Where each name's site is, for the slice's detail.
  fprintf(x->out, "],\n\"places\":[");
  for (uint32_t i = 0; i < x->name_count; i++) {
    const struct fr_site_info *si = fr_snapshot_site(x->s, x->names[i].site);
    char place[320] = "";
    if (si && si->file && si->file[0])
      snprintf(place, sizeof(place), "%.300s:%u", si->file, si->line);
    fprintf(x->out, "%s", i ? "," : "");
    fr_json_string(x->out, place);
  }
  fprintf(x->out, "],\n\"details\":[");
  for (uint32_t i = 0; i < x->detail_count; i++) {
    fprintf(x->out, "%s", i ? "," : "");
    fr_json_string(x->out, x->details[i]);
  }
  fprintf(x->out, "],\n\"folded\":[");
  x->folded_lines = 0;
  export_folded_walk(x, report_folded_line);
  fprintf(x->out, "],\n\"summary\":");
  // The summary's JSON has no "<" in its text fields' escapes; names in it
  // could, so it is written through the same path as the command's output.
  fr_summary_json(x->s, &x->analysis, 50, x->out);
  fprintf(x->out, "}");
  const char *page = (const char *)fr_report_html;
  const char *mark = strstr(page, "/*FR_REPORT_DATA*/");
  fputs(mark + strlen("/*FR_REPORT_DATA*/"), x->out);
  return 0;
}

const struct export_format export_report = {
    .name = "html",
    .extension = ".html",
    .stacks = 1,
    .wants_analysis = 1,
    .begin = report_begin,
    .slice_end = report_slice_end,
    .thread_end = report_thread,
    .end = report_end,
};
