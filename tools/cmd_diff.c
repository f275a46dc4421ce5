// SPDX-License-Identifier: Apache-2.0
// cmd_diff.c: frtool diff: what got slower or more frequent between two
// snapshots, or two sets of snapshots.
//
//   frtool diff [--threshold=PCT] [--min-time=NS] [--top=N] A B
//   frtool diff [options] A1 A2 ... -- B1 B2 ...
//
// Functions, lock sites and blocking-call sites are matched by what they are
// (name, file, line, callee), not by id, so snapshots of different runs and
// builds compare. For each, the calls and the mean, p99 and total time in A
// and in B; a row is a regression when B's mean or p99 is more than PCT
// percent (default 10) above A's and by at least NS nanoseconds (default
// 1000), or when B makes more than PCT percent more calls per second of
// window. Exit status: 0 no regression, 3 regressions (for a regression
// job), 1 unreadable input, 2 usage.
#include "fr_analysis.h"
#include "fr_events.h"
#include "frtool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FRTOOL_REGRESSION = 3 };

// One thing measured, in one set: merged over its snapshots.
struct measure {
  char *key;   // "function main.c:10" or "lock pthread_mutex_lock in f x.c:3"
  struct fr_dist a, b; // durations in nanoseconds
  // The overhead budget muted the site in a snapshot of set A, of set B:
  // what it recorded there is what the mute kept (calls until the mute,
  // only contended waits, only slow calls), not comparable with a full
  // record, or with a mute at another moment.
  int muted_a, muted_b;
};

struct table {
  struct measure *rows;
  uint32_t count, cap;
  struct fr_map index; // key hash -> row
};

struct set {
  double window_ns; // summed over the set's snapshots
};

static uint64_t key_hash(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h;
}

static struct measure *row_for(struct table *t, const char *key) {
  uint64_t h = key_hash(key);
  for (;;) {
    uint32_t *slot = fr_map_slot(&t->index, h);
    if (!slot)
      return NULL;
    if (*slot == UINT32_MAX) {
      if (fr_grow((void **)&t->rows, &t->cap, t->count + 1, sizeof(*t->rows)))
        return NULL;
      *slot = t->count++;
      memset(&t->rows[*slot], 0, sizeof(*t->rows));
      t->rows[*slot].key = strdup(key);
    }
    if (t->rows[*slot].key && !strcmp(t->rows[*slot].key, key))
      return &t->rows[*slot];
    h = h * 31 + 7; // another key with the same hash
  }
}

// Ticks to nanoseconds, saturating: a file's tick rate can make a duration
// larger than 64 bits hold (converting such a double is undefined).
static uint64_t ticks_ns(uint64_t ticks, double ns_per_tick) {
  double ns = (double)ticks * ns_per_tick;
  if (!(ns > 0))
    return 0;
  return ns >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)ns;
}

// Adds each of d's durations (ticks) to out in nanoseconds. Exact while d
// kept its samples; past that, d's count at its mean (the totals stay right).
static void add_dist(struct fr_dist *out, struct fr_dist *d, double ns_per_tick) {
  if (d->count <= FR_DIST_EXACT && d->samples) {
    for (uint64_t i = 0; i < d->count; i++)
      fr_dist_add(out, ticks_ns(d->samples[i], ns_per_tick));
    return;
  }
  uint64_t mean = d->count ? d->total / d->count : 0;
  for (uint64_t i = 0; i + 1 < d->count; i++)
    fr_dist_add(out, ticks_ns(mean, ns_per_tick));
  if (d->count) // the maximum itself, so max and p99 stay meaningful
    fr_dist_add(out, ticks_ns(d->max, ns_per_tick));
}

static void note_muted(struct measure *m, const struct fr_analysis *a,
                       const struct fr_site_info *si, int side) {
  if (m && fr_analysis_site_muted(a, si))
    *(side ? &m->muted_b : &m->muted_a) = 1;
}

static int load(const char *path, struct table *t, int side, struct set *set) {
  struct fr_snapshot s;
  if (fr_snapshot_open(path, &s) != FR_OPEN_OK) {
    fprintf(stderr, "frtool diff: %s: %s\n", path, s.error);
    fr_snapshot_close(&s);
    return -1;
  }
  frtool_print_notes(&frtool_diff, path, &s);
  struct fr_analysis a;
  if (fr_analyze(&s, 0, &a) != 0) {
    fprintf(stderr, "frtool diff: %s: out of memory\n", path);
    fr_analysis_free(&a);
    fr_snapshot_close(&s);
    return -1;
  }
  double ns_per_tick = 1e9 / (double)s.hdr.tick_hz;
  set->window_ns += (double)(a.last_ticks - a.first_ticks) * ns_per_tick;
  char key[1024];
  for (uint32_t i = 0; i < a.func_count; i++) {
    const struct fr_site_info *si = fr_snapshot_site(&s, a.funcs[i].site);
    snprintf(key, sizeof(key), "function %s %s:%u", si ? si->function : "?",
             si ? si->file : "?", si ? si->line : 0);
    struct measure *m = row_for(t, key);
    if (m)
      add_dist(side ? &m->b : &m->a, &a.funcs[i].inclusive, ns_per_tick);
    note_muted(m, &a, si, side);
  }
  for (uint32_t i = 0; i < a.lock_site_count; i++) {
    const struct fr_site_info *si = fr_snapshot_site(&s, a.lock_sites[i].site);
    snprintf(key, sizeof(key), "lock-wait %s in %s %s:%u",
             si ? si->callee : "?", si ? si->function : "?",
             si ? si->file : "?", si ? si->line : 0);
    struct measure *m = row_for(t, key);
    if (m)
      add_dist(side ? &m->b : &m->a, &a.lock_sites[i].wait, ns_per_tick);
    note_muted(m, &a, si, side);
  }
  for (uint32_t i = 0; i < a.block_site_count; i++) {
    const struct fr_site_info *si =
        fr_snapshot_site(&s, a.block_sites[i].site);
    snprintf(key, sizeof(key), "call %s in %s %s:%u", si ? si->callee : "?",
             si ? si->function : "?", si ? si->file : "?", si ? si->line : 0);
    struct measure *m = row_for(t, key);
    if (m)
      add_dist(side ? &m->b : &m->a, &a.block_sites[i].duration, ns_per_tick);
    note_muted(m, &a, si, side);
  }
  fr_analysis_free(&a);
  fr_snapshot_close(&s);
  return 0;
}

struct verdict {
  struct measure *m;
  double change;  // the largest relative change, B over A, minus 1
  int regression;
  int muted;      // not comparable: the budget muted the site (why says where)
  const char *why;
};

static int verdict_order(const void *x, const void *y) {
  const struct verdict *a = x, *b = y;
  if (a->regression != b->regression)
    return b->regression - a->regression;
  return a->change < b->change ? 1 : a->change > b->change ? -1 : 0;
}

static double mean(const struct fr_dist *d) {
  return d->count ? (double)d->total / (double)d->count : 0;
}

static int run(int argc, char **argv) {
  double threshold = 10, min_time = 1000;
  uint32_t top = 30;
  const char *files[2][64];
  int nfiles[2] = {0, 0}, side = 0, split = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    char *end;
    if (!strncmp(a, "--threshold=", 12)) {
      threshold = strtod(a + 12, &end);
      if (*end == '%')
        end++;
      if (*end || threshold < 0)
        return frtool_usage_error(&frtool_diff, "--threshold wants a percentage");
    } else if (!strncmp(a, "--min-time=", 11)) {
      min_time = strtod(a + 11, &end);
      if (*end || min_time < 0)
        return frtool_usage_error(&frtool_diff, "--min-time wants nanoseconds");
    } else if (!strncmp(a, "--top=", 6)) {
      long n = strtol(a + 6, &end, 10);
      if (*end || n < 0)
        return frtool_usage_error(&frtool_diff, "--top wants a number");
      top = (uint32_t)n;
    } else if (!strcmp(a, "--")) {
      split = 1;
      side = 1;
    } else if (a[0] == '-' && a[1]) {
      return frtool_usage_error(&frtool_diff, "unknown option");
    } else if (nfiles[side] < 64) {
      files[side][nfiles[side]++] = a;
    }
  }
  if (!split && nfiles[0] == 2) { // diff A B
    files[1][0] = files[0][1];
    nfiles[0] = nfiles[1] = 1;
  }
  if (nfiles[0] < 1 || nfiles[1] < 1)
    return frtool_usage_error(&frtool_diff, "two snapshots (or two sets) wanted");

  struct table t = {0};
  struct set sets[2] = {{0}, {0}};
  for (int s = 0; s < 2; s++)
    for (int i = 0; i < nfiles[s]; i++)
      if (load(files[s][i], &t, s, &sets[s]) != 0)
        return FRTOOL_BAD_INPUT;

  struct verdict *v = calloc(t.count + 1, sizeof(*v));
  if (!v)
    return FRTOOL_BAD_INPUT;
  uint32_t regressions = 0;
  for (uint32_t i = 0; i < t.count; i++) {
    struct measure *m = &t.rows[i];
    v[i].m = m;
    double ma = mean(&m->a), mb = mean(&m->b);
    double pa = (double)fr_dist_quantile(&m->a, 0.99);
    double pb = (double)fr_dist_quantile(&m->b, 0.99);
    double ra = sets[0].window_ns > 0 ? (double)m->a.count / sets[0].window_ns : 0;
    double rb = sets[1].window_ns > 0 ? (double)m->b.count / sets[1].window_ns : 0;
    double limit = 1 + threshold / 100;
    double change = 0;
    v[i].why = "";
    if (m->muted_a || m->muted_b) {
      v[i].why = m->muted_a && m->muted_b ? "muted in both"
                 : m->muted_a             ? "muted in A"
                                          : "muted in B";
      v[i].muted = 1; // shown, never a regression
    } else if (m->a.count && m->b.count) {
      if (ma > 0 && mb / ma - 1 > change)
        change = mb / ma - 1, v[i].why = "mean";
      if (pa > 0 && pb / pa - 1 > change)
        change = pb / pa - 1, v[i].why = "p99";
      if (ra > 0 && rb / ra - 1 > change)
        change = rb / ra - 1, v[i].why = "rate";
      int slower = (mb > ma * limit && mb - ma >= min_time) ||
                   (pb > pa * limit && pb - pa >= min_time);
      int busier = ra > 0 && rb > ra * limit && m->b.count >= 2;
      v[i].regression = slower || busier;
    } else if (m->b.count && !m->a.count) {
      change = 1e9; // new in B
      v[i].why = "new";
      v[i].regression = mb >= min_time;
    } else if (m->a.count && !m->b.count) {
      change = -1e9; // A had it, B never ran it: gone, not "+0%"
      v[i].why = "gone";
    }
    v[i].change = change;
    regressions += v[i].regression;
  }
  fr_sort(v, t.count, sizeof(*v), verdict_order);
  uint32_t muted = 0;
  for (uint32_t i = 0; i < t.count; i++)
    muted += v[i].muted;
  char min_text[32], muted_text[64] = "";
  if (muted)
    snprintf(muted_text, sizeof(muted_text), "; %u not comparable (muted)",
             muted);
  printf("%u compared: %u regression%s (threshold %.0f%%, at least %s)%s\n",
         t.count, regressions, regressions == 1 ? "" : "s", threshold,
         fr_format_ns(min_time, min_text), muted_text);
  printf("  %-5s %8s %8s %10s %10s %10s %10s %8s  %s\n", "", "A calls",
         "B calls", "A mean", "B mean", "A p99", "B p99", "change", "what");
  for (uint32_t i = 0; i < t.count && (!top || i < top); i++) {
    struct measure *m = v[i].m;
    char b1[32], b2[32], b3[32], b4[32], change[32];
    if (v[i].muted)
      snprintf(change, sizeof(change), "muted");
    else if (v[i].change >= 1e9)
      snprintf(change, sizeof(change), "new");
    else if (v[i].change <= -1e9)
      snprintf(change, sizeof(change), "gone");
    else
      snprintf(change, sizeof(change), "%+.0f%%", v[i].change * 100);
    printf("  %-5s %8llu %8llu %10s %10s %10s %10s %8s  %s%s%s",
           v[i].regression ? "WORSE" : "", (unsigned long long)m->a.count,
           (unsigned long long)m->b.count, fr_format_ns(mean(&m->a), b1),
           fr_format_ns(mean(&m->b), b2), fr_format_ns((double)fr_dist_quantile(&m->a, 0.99), b3),
           fr_format_ns((double)fr_dist_quantile(&m->b, 0.99), b4), change, m->key,
           v[i].muted ? " (not comparable: " : v[i].why[0] && v[i].change > -1e9 &&
                                                  v[i].change < 1e9 ? " by " : "",
           v[i].muted || (v[i].change > -1e9 && v[i].change < 1e9) ? v[i].why : "");
    if (v[i].muted)
      printf(")");
    printf("\n");
  }
  for (uint32_t i = 0; i < t.count; i++) {
    free(t.rows[i].key);
    fr_dist_free(&t.rows[i].a);
    fr_dist_free(&t.rows[i].b);
  }
  free(t.rows);
  free(v);
  fr_map_free(&t.index);
  return regressions ? FRTOOL_REGRESSION : FRTOOL_OK;
}

const struct frtool_command frtool_diff = {
    "diff", "what got slower or more frequent between two snapshots (or sets)",
    "diff [--threshold=PCT] [--min-time=NS] [--top=N] A B | A... -- B...", run};
