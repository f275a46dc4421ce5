// SPDX-License-Identifier: Apache-2.0
// cmd_summary.c: frtool summary FILE: where the window's time went.
//
// Tables, each sorted by total time (or --sort) and cut to --top rows:
// threads (time blocked on locks, condition variables and calls), functions
// (calls, inclusive time: total, mean, p50, p99, max; exclusive total),
// locks by address and by call site (acquisitions, contended ones, wait
// total/max/p99, hold total/max, threads), blocking calls by site and by
// file descriptor (calls, errors, total/max/p99), the longest intervals in
// which a thread was blocked, and what each thread was blocked in when the
// snapshot was taken. --json prints the same as one JSON object, times in
// nanoseconds. --muted-list prints the functions the overhead budget muted
// as a plugin list= file (deny fun:NAME), to build them without guards.
#include "fr_analysis.h"
#include "fr_events.h"
#include "frtool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sort_key { SORT_TOTAL, SORT_COUNT, SORT_MAX, SORT_P99 };

struct options {
  const char *path;
  uint32_t top;
  enum sort_key sort;
  int json;
  int muted_list;
};

static const struct fr_snapshot *g_snapshot; // for the sort comparators
static const struct fr_analysis *g_analysis; // which sites were muted
static enum sort_key g_sort;
static FILE *g_out; // where the tables go

static double ns(uint64_t ticks) {
  return (double)ticks * 1e9 / (double)g_snapshot->hdr.tick_hz;
}

// A duration for a table cell: 950ns, 12.3us, 4.235ms, 1.500s.
static const char *dur(uint64_t ticks, char buf[32]) {
  return fr_format_ns(ns(ticks), buf);
}

// Milliseconds since the recorder started, as frtool dump prints times.
static double at_ms(uint64_t ticks) {
  return fr_snapshot_ticks_to_ns(g_snapshot, ticks) / 1e6;
}

static const char *site_where(uint32_t id, char buf[256]) {
  const struct fr_site_info *si = fr_snapshot_site(g_snapshot, id);
  char name[FR_SHORT_NAME + 1];
  if (si)
    snprintf(buf, 256, "%s %s:%u%s", fr_short_name(si->function, name), si->file,
             si->line, fr_analysis_site_muted(g_analysis, si) ? " (muted)" : "");
  else
    snprintf(buf, 256, "site#%u", id);
  return buf;
}

static const char *site_callee(uint32_t id) {
  const struct fr_site_info *si = fr_snapshot_site(g_snapshot, id);
  return si && si->callee[0] ? si->callee : "?";
}

static const char *lock_kind(uint32_t detail) {
  switch (FR_LOCK_KIND(detail)) {
  case FR_LOCK_MUTEX:
    return "mutex";
  case FR_LOCK_RWLOCK_READ:
  case FR_LOCK_RWLOCK_WRITE:
    return "rwlock";
  case FR_LOCK_SPIN:
    return "spin";
  case FR_LOCK_SEMAPHORE:
    return "sem";
  case FR_LOCK_CONDITION:
    return "cond";
  case FR_LOCK_USER:
    return "user";
  }
  return "?";
}

// ---- Sorting -----------------------------------------------------------------

static uint64_t dist_key(struct fr_dist *d) {
  switch (g_sort) {
  case SORT_COUNT:
    return d->count;
  case SORT_MAX:
    return d->max;
  case SORT_P99:
    return fr_dist_quantile(d, 0.99);
  case SORT_TOTAL:
    break;
  }
  return d->total;
}

#define DESCENDING(x, y) ((x) > (y) ? -1 : (x) < (y))

static int func_cmp(const void *x, const void *y) {
  struct fr_func_stats *a = (void *)x, *b = (void *)y;
  int c = g_sort == SORT_TOTAL
              ? DESCENDING(a->outer_total, b->outer_total)
              : DESCENDING(dist_key(&a->inclusive), dist_key(&b->inclusive));
  return c ? c : DESCENDING(b->site, a->site);
}

static int lock_cmp(const void *x, const void *y) {
  struct fr_lock_stats *a = (void *)x, *b = (void *)y;
  int c = DESCENDING(dist_key(&a->wait), dist_key(&b->wait));
  if (!c)
    c = DESCENDING(a->acquisitions, b->acquisitions);
  return c ? c : DESCENDING(b->addr, a->addr);
}

static int lock_site_cmp(const void *x, const void *y) {
  struct fr_lock_site_stats *a = (void *)x, *b = (void *)y;
  int c = DESCENDING(dist_key(&a->wait), dist_key(&b->wait));
  if (!c)
    c = DESCENDING(a->acquisitions, b->acquisitions);
  return c ? c : DESCENDING(b->site, a->site);
}

static int block_cmp(const void *x, const void *y) {
  struct fr_block_stats *a = (void *)x, *b = (void *)y;
  int c = DESCENDING(dist_key(&a->duration), dist_key(&b->duration));
  return c ? c : DESCENDING(b->key, a->key);
}

static int blocked_cmp(const void *x, const void *y) {
  const struct fr_blocked *a = x, *b = y;
  int c = DESCENDING(a->end - a->begin, b->end - b->begin);
  return c ? c : DESCENDING(b->begin, a->begin);
}

static uint32_t rows(uint32_t count, uint32_t top) {
  return top && top < count ? top : count;
}

// ---- Text --------------------------------------------------------------------

static void describe_blocked(const struct fr_blocked *b, char *buf, size_t size) {
  char where[256], arg[64] = "";
  const struct fr_site_info *si = fr_snapshot_site(g_snapshot, b->site);
  site_where(b->site, where);
  switch (b->kind) {
  case FR_BLOCKED_LOCK:
    snprintf(buf, size, "on %s %#llx (%s in %s)",
             lock_kind(si ? si->detail : 0), (unsigned long long)b->object,
             site_callee(b->site), where);
    return;
  case FR_BLOCKED_COND:
    snprintf(buf, size, "on cond %#llx (%s in %s)",
             (unsigned long long)b->object, site_callee(b->site), where);
    return;
  }
  if (si)
    fr_format_blocking_arg(si->detail, (int64_t)b->object, arg, sizeof(arg));
  snprintf(buf, size, "in %s%s%s (%s)", site_callee(b->site), arg[0] ? " " : "",
           arg, where);
}

static int user_cmp(const void *x, const void *y) {
  struct fr_user_stats *a = (void *)x, *b = (void *)y;
  int c = DESCENDING(dist_key(&a->duration), dist_key(&b->duration));
  return c ? c : DESCENDING(b->site, a->site);
}

// Tasks or regions: calls, total, mean, p99, max by name.
static void print_user_table(struct fr_analysis *a, const struct options *o,
                             uint32_t kind, const char *title) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < a->user_count; i++)
    n += a->users[i].kind == kind;
  if (!n)
    return;
  fr_sort(a->users, a->user_count, sizeof(*a->users), user_cmp);
  char d1[32], d2[32], d3[32], d4[32];
  fprintf(g_out, "\n%s\n  %8s %10s %10s %10s %10s  %s\n", title, "count",
          "total", "mean", "p99", "max", "name");
  uint32_t shown = 0;
  for (uint32_t i = 0; i < a->user_count && shown < rows(n, o->top); i++) {
    struct fr_user_stats *u = &a->users[i];
    if (u->kind != kind)
      continue;
    shown++;
    const struct fr_site_info *si = fr_snapshot_site(g_snapshot, u->site);
    uint64_t c = u->duration.count;
    fprintf(g_out, "  %8llu %10s %10s %10s %10s  %s", (unsigned long long)c,
            dur(u->duration.total, d1), dur(c ? u->duration.total / c : 0, d2),
            dur(fr_dist_quantile(&u->duration, 0.99), d3),
            dur(u->duration.max, d4), si ? si->function : "?");
    if (u->unfinished)
      fprintf(g_out, " (+%llu unfinished)", (unsigned long long)u->unfinished);
    fprintf(g_out, "\n");
  }
}

// What the overhead budget muted: each time it muted a site in the window
// (with when it re-armed it, if it did), and each site muted before the
// window and still muted at the snapshot (mute NULL), the most frequent
// first.
struct muted_row {
  const struct fr_site_info *site;
  const struct fr_mute *mute;
};

static int muted_cmp(const void *x, const void *y) {
  const struct muted_row *a = x, *b = y;
  uint64_t ra = a->mute ? a->mute->per_second : 0;
  uint64_t rb = b->mute ? b->mute->per_second : 0;
  if (ra != rb)
    return ra < rb ? 1 : -1;
  if (a->site->id != b->site->id)
    return a->site->id < b->site->id ? -1 : 1;
  uint64_t ta = a->mute ? a->mute->ticks : 0, tb = b->mute ? b->mute->ticks : 0;
  return ta < tb ? -1 : ta > tb;
}

// Sites the budget muted in the window or had muted at the snapshot.
static uint32_t muted_site_count(const struct fr_snapshot *s,
                                 const struct fr_analysis *a) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->site_count; i++)
    n += fr_analysis_site_muted(a, &s->sites[i]);
  return n;
}

static uint32_t muted_rows(const struct fr_snapshot *s,
                           const struct fr_analysis *a,
                           struct muted_row **out) {
  uint32_t n = 0;
  *out = calloc((size_t)a->mute_count + s->site_count, sizeof(**out));
  if (!*out)
    return 0;
  for (uint32_t k = 0; k < a->mute_count; k++) {
    const struct fr_site_info *si = fr_snapshot_site(s, a->mutes[k].site);
    if (si)
      (*out)[n++] = (struct muted_row){si, &a->mutes[k]};
  }
  for (uint32_t i = 0; i < s->site_count; i++)
    if ((s->sites[i].flags & FR_SITE_MUTED) &&
        !fr_open_count((struct fr_map *)&a->muted_sites, s->sites[i].id))
      (*out)[n++] = (struct muted_row){&s->sites[i], NULL};
  fr_sort(*out, n, sizeof(**out), muted_cmp);
  return n;
}

static const char *site_kind_name(uint32_t kind) {
  switch (kind) {
  case FR_SITE_FUNCTION:
    return "function";
  case FR_SITE_LOCK:
    return "lock";
  case FR_SITE_BLOCKING:
    return "blocking";
  }
  return "user";
}

// The rows of the budget's mutes, in order, cut to --top like every table
// (a long run of a large program mutes many: a speedtest1 run, 146), with a
// line that says how many were left out.
static void print_muted(const struct fr_snapshot *s, struct fr_analysis *a,
                        const struct options *o) {
  struct muted_row *rows_;
  uint32_t n = muted_rows(s, a, &rows_);
  if (!n) {
    free(rows_);
    return;
  }
  fprintf(g_out,
          "\nmuted by the overhead budget (not recorded from \"muted at\" to "
          "\"re-armed\"; lock sites keep their contended waits, blocking sites "
          "their calls over %u ms)\n  %10s %14s %14s  %-8s  %s\n",
          FR_SLOW_CALL_NS / 1000000, "events/s", "muted at", "re-armed",
          "kind", "site");
  uint32_t shown = rows(n, o->top);
  for (uint32_t i = 0; i < shown; i++) {
    const struct muted_row *r = &rows_[i];
    char when[32], rate[32], until[32], where[256];
    if (r->mute && r->mute->ticks) {
      snprintf(rate, sizeof(rate), "%llu", (unsigned long long)r->mute->per_second);
      snprintf(when, sizeof(when), "%.6f ms", at_ms(r->mute->ticks));
    } else {
      snprintf(rate, sizeof(rate), "?");
      snprintf(when, sizeof(when), "before");
    }
    if (r->mute && r->mute->rearmed)
      snprintf(until, sizeof(until), "%.6f ms", at_ms(r->mute->rearmed));
    else
      snprintf(until, sizeof(until), "-");
    fprintf(g_out, "  %10s %14s %14s  %-8s  ", rate, when, until,
            site_kind_name(r->site->kind));
    if (r->site->callee[0])
      fprintf(g_out, "%s in ", r->site->callee);
    fprintf(g_out, "%s\n", site_where(r->site->id, where));
  }
  if (shown < n)
    fprintf(g_out, "  ... and %u more (--top=0 lists them all)\n", n - shown);
  free(rows_);
}

// The muted functions as a plugin list= file: a build with it leaves them
// out, and their guards with them (what a muted function still costs).
static void print_muted_list(const struct fr_snapshot *s,
                             struct fr_analysis *a, const struct options *o) {
  struct muted_row *rows_;
  uint32_t n = muted_rows(s, a, &rows_);
  fprintf(g_out,
          "# Functions the overhead budget muted in %s (the most frequent\n"
          "# first): FR_PASS_OPTIONS='list=THIS_FILE' leaves them out.\n",
          o->path);
  struct fr_map listed = {0}; // a site muted more than once: listed once
  for (uint32_t i = 0; i < n; i++) {
    uint32_t *seen = fr_map_slot(&listed, rows_[i].site->id);
    if (seen && *seen != UINT32_MAX)
      continue;
    if (seen)
      *seen = 1;
    if (rows_[i].site->kind == FR_SITE_FUNCTION && rows_[i].site->function[0])
      fprintf(g_out, "deny fun:%s\n", rows_[i].site->function);
  }
  fr_map_free(&listed);
  free(rows_);
}

// The counted tier's rows: one per site, its threads' counts in order.
static int counted_cmp(const void *x, const void *y) {
  const struct fr_counted_stats *a = x, *b = y;
  if (a->site != b->site)
    return a->site < b->site ? -1 : 1;
  return a->thread < b->thread ? -1 : a->thread > b->thread;
}

// The calls (and slow ones) of the site of row i, whose rows end at *end.
static uint64_t counted_site_calls(const struct fr_analysis *a, uint32_t i,
                                   uint32_t *end, uint64_t *slow) {
  uint64_t calls = 0;
  uint32_t k = i;
  *slow = 0;
  for (; k < a->counted_count && a->counted[k].site == a->counted[i].site;
       k++) {
    calls += a->counted[k].calls;
    *slow += a->counted[k].slow;
  }
  *end = k;
  return calls;
}

static void print_counted(struct fr_analysis *a) {
  if (!a->counted_count)
    return;
  fr_sort(a->counted, a->counted_count, sizeof(*a->counted), counted_cmp);
  fprintf(g_out,
          "\ncounted while muted (the budget counted these calls instead of "
          "recording them; calls over %u ms were timed, and are in "
          "\"functions\")\n  %12s %6s  %-24s  %s\n",
          FR_SLOW_CALL_NS / 1000000, "calls", "slow", "threads", "function");
  for (uint32_t i = 0, end; i < a->counted_count; i = end) {
    uint64_t slow, calls = counted_site_calls(a, i, &end, &slow);
    char threads[25] = "", where[256];
    size_t used = 0;
    for (uint32_t k = i; k < end && used < sizeof(threads); k++) {
      int n = snprintf(threads + used, sizeof(threads) - used, "%sT%u",
                       k > i ? "," : "", a->counted[k].thread);
      if (n < 0 || (size_t)n >= sizeof(threads) - used) {
        snprintf(threads + (sizeof(threads) - 5), 5, ",...");
        break;
      }
      used += (size_t)n;
    }
    fprintf(g_out, "  %12llu %6llu  %-24s  %s\n", (unsigned long long)calls,
            (unsigned long long)slow, threads,
            site_where(a->counted[i].site, where));
  }
}

static void print_text(const struct fr_snapshot *s, struct fr_analysis *a,
                       const struct options *o) {
  char d1[32], d2[32], d3[32], d4[32], d5[32], d6[32], where[256];
  uint64_t from, to;
  fr_window_from_events(s, a->first_ticks, a->last_ticks, &from, &to);
  fprintf(g_out, "%s: program %s pid %u, %llu events, %u threads, window %s",
         o->path, s->hdr.program, s->hdr.pid, (unsigned long long)a->events,
         a->thread_count, dur(to - from, d1));
  fprintf(g_out, " (%.6f to %.6f ms)", at_ms(from), at_ms(to));
  fprintf(g_out, "\n");
  char why[512];
  fr_format_trigger(s, why, sizeof(why));
  fprintf(g_out, "  taken by: %s\n", why);
  uint64_t lost = fr_drops_total_of(s, &a->dropped);
  if (lost) {
    const struct fr_drops d = a->dropped;
    fprintf(g_out, "  %llu events were dropped by writers: %llu in signal "
            "handlers (reentrant), %llu for want of space, %llu after their "
            "thread exited%s\n",
            (unsigned long long)lost, (unsigned long long)d.reentrant,
            (unsigned long long)d.no_space,
            (unsigned long long)(lost - fr_drops_sum(&d)),
            d.unknown ? ", the rest of no recorded cause" : "");
  }
  uint32_t muted = muted_site_count(s, a);
  if (s->hdr.budget_ppm || muted) {
    fprintf(g_out, "  budget: %g%% of each thread's time", s->hdr.budget_ppm / 1e4);
    if (muted)
      fprintf(g_out, "; %u sites muted by it (see \"muted\" below)", muted);
    fprintf(g_out, "\n");
  }
  if (a->partial_calls)
    fprintf(g_out, "  %llu calls began before the window (counted as partial, no "
           "duration)\n",
           (unsigned long long)a->partial_calls);
  if (a->unwound_frames)
    fprintf(g_out, "  %llu calls left without an exit (an exception or longjmp "
           "past them), ended where their caller resumed\n",
           (unsigned long long)a->unwound_frames);
  if (a->muted_open_frames)
    fprintf(g_out, "  %llu calls of sites the budget muted while they ran (their "
           "exits not recorded): not timed\n",
           (unsigned long long)a->muted_open_frames);

  // The label column fits the largest thread index (T100000 and up).
  int label_width = 5;
  for (uint32_t i = 0; i < a->thread_count; i++) {
    char idx[16];
    int n = snprintf(idx, sizeof(idx), "T%u", a->threads[i].index);
    if (n > label_width)
      label_width = n;
  }
  fprintf(g_out, "\nthreads\n  %-*s %-8s %-16s %9s %10s %10s %10s %10s %9s\n",
          label_width, "", "tid", "name", "events", "span", "lock wait",
          "cond wait", "blocking", "lost");
  for (uint32_t i = 0; i < a->thread_count; i++) {
    const struct fr_thread_stats *t = &a->threads[i];
    char idx[16];
    snprintf(idx, sizeof(idx), "T%u", t->index);
    fprintf(g_out, "  %-*s %-8u %-16s %9llu %10s %10s %10s %10s %9llu\n",
           label_width, idx, t->tid,
           t->name, (unsigned long long)t->events,
           dur(t->last_ticks - t->first_ticks, d1), dur(t->lock_wait, d2),
           dur(t->cond_wait, d3), dur(t->blocking, d4),
           (unsigned long long)t->dropped);
  }

  if (a->func_count) {
    fr_sort(a->funcs, a->func_count, sizeof(*a->funcs), func_cmp);
    fprintf(g_out, "\nfunctions\n  %8s %10s %10s %10s %10s %10s %10s  %s\n", "calls",
           "total", "self", "mean", "p50", "p99", "max", "function");
    for (uint32_t i = 0; i < rows(a->func_count, o->top); i++) {
      struct fr_func_stats *f = &a->funcs[i];
      const struct fr_site_info *si = fr_snapshot_site(s, f->site);
      uint64_t n = f->inclusive.count;
      fprintf(g_out, "  %8llu %10s %10s %10s %10s %10s %10s  ", (unsigned long long)n,
             dur(f->outer_total, d1), dur(f->exclusive_total, d2),
             dur(n ? f->inclusive.total / n : 0, d3),
             dur(fr_dist_quantile(&f->inclusive, 0.5), d4),
             dur(fr_dist_quantile(&f->inclusive, 0.99), d5),
             dur(f->inclusive.max, d6));
      char name[FR_SHORT_NAME + 1];
      if (si)
        fprintf(g_out, "%s %s:%u", fr_short_name(si->function, name),
                si->file, si->line);
      else
        fprintf(g_out, "site#%u", f->site);
      if (f->counted)
        fprintf(g_out, " (muted: %llu more calls counted, not timed; "
                       "%llu slow ones timed)",
                (unsigned long long)(f->counted - f->slow_kept),
                (unsigned long long)f->slow_kept);
      else if (fr_analysis_site_muted(a, si))
        fprintf(g_out, " (muted: calls while muted not counted)");
      if (f->partial)
        fprintf(g_out, " (+%llu partial)", (unsigned long long)f->partial);
      fprintf(g_out, "\n");
    }
  }

  print_user_table(a, o, FR_USER_TASK, "tasks");
  print_user_table(a, o, FR_USER_REGION, "regions");

  if (a->lock_count) {
    fr_sort(a->locks, a->lock_count, sizeof(*a->locks), lock_cmp);
    fprintf(g_out, "\nlocks\n  %-16s %-6s %8s %9s %6s %10s %10s %10s %10s %10s  %s\n",
           "lock", "kind", "acquired", "contended", "failed", "wait total",
           "wait max", "wait p99", "hold total", "hold max", "threads");
    for (uint32_t i = 0; i < rows(a->lock_count, o->top); i++) {
      struct fr_lock_stats *l = &a->locks[i];
      char addr[24];
      snprintf(addr, sizeof(addr), "%#llx", (unsigned long long)l->addr);
      fprintf(g_out, "  %-16s %-6s %8llu %9llu %6llu %10s %10s %10s %10s %10s  ", addr,
             lock_kind(l->detail), (unsigned long long)l->acquisitions,
             (unsigned long long)l->contended, (unsigned long long)l->failed,
             dur(l->wait.total, d1), dur(l->wait.max, d2),
             dur(fr_dist_quantile(&l->wait, 0.99), d3), dur(l->hold.total, d4),
             dur(l->hold.max, d5));
      uint32_t shown = l->thread_count < FR_LOCK_MAX_THREADS ? l->thread_count
                                                             : FR_LOCK_MAX_THREADS;
      for (uint32_t k = 0; k < shown; k++)
        fprintf(g_out, "%sT%u", k ? "," : "", l->threads[k]);
      fprintf(g_out, "%s\n", l->thread_count > FR_LOCK_MAX_THREADS ? ",..." : "");
    }

    fr_sort(a->lock_sites, a->lock_site_count, sizeof(*a->lock_sites),
          lock_site_cmp);
    fprintf(g_out, "\nlock sites\n  %8s %9s %6s %10s %10s %10s %10s %10s  %s\n",
           "acquired", "contended", "failed", "wait total", "wait max",
           "wait p99", "hold total", "hold max", "site");
    for (uint32_t i = 0; i < rows(a->lock_site_count, o->top); i++) {
      struct fr_lock_site_stats *l = &a->lock_sites[i];
      fprintf(g_out, "  %8llu %9llu %6llu %10s %10s %10s %10s %10s  %s %s",
             (unsigned long long)l->acquisitions,
             (unsigned long long)l->contended, (unsigned long long)l->failed,
             dur(l->wait.total, d1), dur(l->wait.max, d2),
             dur(fr_dist_quantile(&l->wait, 0.99), d3), dur(l->hold.total, d4),
             dur(l->hold.max, d5), site_callee(l->site),
             site_where(l->site, where));
      if (l->addr_count == 1)
        fprintf(g_out, " lock %#llx", (unsigned long long)l->addr);
      else
        fprintf(g_out, " (several locks)");
      fprintf(g_out, "\n");
    }
  }

  if (a->block_site_count) {
    fr_sort(a->block_sites, a->block_site_count, sizeof(*a->block_sites),
          block_cmp);
    fprintf(g_out, "\nblocking calls by site\n  %8s %6s %10s %10s %10s %10s  %s\n",
           "calls", "errors", "total", "mean", "p99", "max", "site");
    for (uint32_t i = 0; i < rows(a->block_site_count, o->top); i++) {
      struct fr_block_stats *b = &a->block_sites[i];
      uint64_t n = b->duration.count;
      fprintf(g_out, "  %8llu %6llu %10s %10s %10s %10s  %s %s", (unsigned long long)n,
             (unsigned long long)b->errors, dur(b->duration.total, d1),
             dur(n ? b->duration.total / n : 0, d2),
             dur(fr_dist_quantile(&b->duration, 0.99), d3),
             dur(b->duration.max, d4), site_callee(b->site),
             site_where(b->site, where));
      if (b->partial)
        fprintf(g_out, " (+%llu partial)", (unsigned long long)b->partial);
      fprintf(g_out, "\n");
    }
  }
  if (a->fd_count) {
    fr_sort(a->fds, a->fd_count, sizeof(*a->fds), block_cmp);
    fprintf(g_out, "\nblocking calls by fd\n  %6s %8s %6s %10s %10s %10s  %s\n", "fd",
           "calls", "errors", "total", "p99", "max", "first call");
    for (uint32_t i = 0; i < rows(a->fd_count, o->top); i++) {
      struct fr_block_stats *b = &a->fds[i];
      fprintf(g_out, "  %6lld %8llu %6llu %10s %10s %10s  %s %s\n", (long long)b->key,
             (unsigned long long)b->duration.count,
             (unsigned long long)b->errors, dur(b->duration.total, d1),
             dur(fr_dist_quantile(&b->duration, 0.99), d2),
             dur(b->duration.max, d3), site_callee(b->site),
             site_where(b->site, where));
    }
  }

  if (a->log_count) {
    fprintf(g_out, "\nlogs (%llu; the newest %u)\n",
            (unsigned long long)a->log_count, a->recent_log_count);
    for (uint32_t i = 0; i < a->recent_log_count; i++) {
      const struct fr_log_entry *e = &a->recent_logs[i];
      const struct fr_site_info *si = fr_snapshot_site(s, e->category);
      fprintf(g_out, "  %.6f ms T%u task %llu %s: ", at_ms(e->ticks), e->thread,
              (unsigned long long)e->task, si ? si->function : "?");
      for (const char *c = e->text; *c; c++) // one line per log
        fputc((unsigned char)*c < 0x20 ? ' ' : *c, g_out);
      fputc('\n', g_out);
    }
  }

  char what[512];
  if (a->longest_count) {
    fr_sort(a->longest, a->longest_count, sizeof(*a->longest), blocked_cmp);
    fprintf(g_out, "\nlongest blocked\n");
    for (uint32_t i = 0; i < a->longest_count; i++) {
      const struct fr_blocked *b = &a->longest[i];
      describe_blocked(b, what, sizeof(what));
      fprintf(g_out, "  T%u blocked %s %s from %.6f to %.6f ms\n", b->thread,
             dur(b->end - b->begin, d1), what, at_ms(b->begin), at_ms(b->end));
    }
  }
  if (a->open_count) {
    fr_sort(a->open, a->open_count, sizeof(*a->open), blocked_cmp);
    fprintf(g_out, "\nblocked when the snapshot was taken\n");
    for (uint32_t i = 0; i < a->open_count; i++) {
      const struct fr_blocked *b = &a->open[i];
      describe_blocked(b, what, sizeof(what));
      fprintf(g_out, "  T%u blocked %s since %.6f ms (%s)\n", b->thread, what,
             at_ms(b->begin), dur(b->end - b->begin, d1));
    }
  }
  print_muted(s, a, o);
  print_counted(a);
}

// ---- JSON --------------------------------------------------------------------

static void json_string(const char *text) { fr_json_string(g_out, text); }

static void json_site(const char *key, uint32_t id) {
  const struct fr_site_info *si = fr_snapshot_site(g_snapshot, id);
  fprintf(g_out, "\"%s\":{\"id\":%u,\"function\":", key, id);
  json_string(si ? si->function : "?");
  fprintf(g_out, ",\"file\":");
  json_string(si ? si->file : "?");
  fprintf(g_out, ",\"line\":%u", si ? si->line : 0);
  if (si && si->callee[0]) {
    fprintf(g_out, ",\"callee\":");
    json_string(si->callee);
  }
  if (fr_analysis_site_muted(g_analysis, si))
    fprintf(g_out, ",\"muted\":true");
  fprintf(g_out, "}");
}

static void json_dist(const char *key, struct fr_dist *d) {
  fprintf(g_out, "\"%s\":{\"count\":%llu,\"total_ns\":%.0f,\"max_ns\":%.0f,"
         "\"p50_ns\":%.0f,\"p99_ns\":%.0f}",
         key, (unsigned long long)d->count, ns(d->total), ns(d->max),
         ns(fr_dist_quantile(d, 0.5)), ns(fr_dist_quantile(d, 0.99)));
}

static void json_blocked(const struct fr_blocked *b) {
  static const char *const kinds[] = {"lock", "cond", "call"};
  fprintf(g_out, "{\"thread\":%u,\"kind\":\"%s\",\"object\":%llu,\"begin_ms\":%.6f,"
         "\"end_ms\":%.6f,\"duration_ns\":%.0f,\"open\":%s,",
         b->thread, kinds[b->kind], (unsigned long long)b->object,
         at_ms(b->begin), at_ms(b->end), ns(b->end - b->begin),
         b->open ? "true" : "false");
  json_site("site", b->site);
  fprintf(g_out, "}");
}

// "crash":{...}: the fault, each field only when the header knows it.
static void print_json_crash(const struct fr_file_header *h) {
  fprintf(g_out, ",\"crash\":{\"signal\":%u", h->trigger_detail);
  if (h->crash_flags & FR_CRASH_CODE) {
    const char *reason = fr_crash_code_name((int)h->trigger_detail, h->crash_code);
    fprintf(g_out, ",\"si_code\":%d", h->crash_code);
    if (reason) {
      fprintf(g_out, ",\"reason\":");
      json_string(reason);
    }
  }
  if (h->crash_flags & FR_CRASH_ADDR)
    fprintf(g_out, ",\"address\":%llu", (unsigned long long)h->crash_addr);
  if (h->crash_flags & FR_CRASH_PC)
    fprintf(g_out, ",\"pc\":%llu", (unsigned long long)h->crash_pc);
  if (h->crash_flags & FR_CRASH_MODULE) {
    fprintf(g_out, ",\"module\":");
    json_string(h->crash_module);
    fprintf(g_out, ",\"module_pc\":%llu", (unsigned long long)h->crash_module_pc);
  }
  fprintf(g_out, "}");
}

static void print_json(const struct fr_snapshot *s, struct fr_analysis *a,
                       const struct options *o) {
  fprintf(g_out, "{\"program\":");
  json_string(s->hdr.program);
  char why[512];
  fr_format_trigger(s, why, sizeof(why));
  fprintf(g_out, ",\"trigger\":");
  json_string(why);
  fprintf(g_out, ",\"trigger_thread\":%u,\"trigger_ns\":%llu,\"trigger_threshold_ns\":%llu",
         s->hdr.trigger_thread, (unsigned long long)s->hdr.trigger_ns,
         (unsigned long long)s->hdr.trigger_threshold_ns);
  if (s->hdr.trigger == FR_TRIGGER_CONDITION && s->hdr.trigger_site) {
    fprintf(g_out, ",");
    json_site("trigger_site", s->hdr.trigger_site);
  }
  if (s->hdr.trigger == FR_TRIGGER_CRASH && s->hdr.crash_flags)
    print_json_crash(&s->hdr);
  uint64_t window_from, window_to;
  fr_window_from_events(s, a->first_ticks, a->last_ticks, &window_from,
                        &window_to);
  fprintf(g_out, ",\"pid\":%u,\"events\":%llu,\"partial_calls\":%llu,"
         "\"unwound_calls\":%llu,\"muted_open_calls\":%llu,"
         "\"lost_events\":%llu,\"window_ns\":%.0f,\n\"threads\":[",
         s->hdr.pid, (unsigned long long)a->events,
         (unsigned long long)a->partial_calls,
         (unsigned long long)a->unwound_frames,
         (unsigned long long)a->muted_open_frames,
         (unsigned long long)fr_drops_total_of(s, &a->dropped),
         ns(window_to - window_from));
  for (uint32_t i = 0; i < a->thread_count; i++) {
    const struct fr_thread_stats *t = &a->threads[i];
    fprintf(g_out, "%s\n{\"thread\":%u,\"tid\":%u,\"name\":", i ? "," : "", t->index,
           t->tid);
    json_string(t->name);
    fprintf(g_out, ",\"events\":%llu,\"span_ns\":%.0f,\"lock_wait_ns\":%.0f,"
           "\"cond_wait_ns\":%.0f,\"blocking_ns\":%.0f,\"lost_events\":%llu}",
           (unsigned long long)t->events, ns(t->last_ticks - t->first_ticks),
           ns(t->lock_wait), ns(t->cond_wait), ns(t->blocking),
           (unsigned long long)t->dropped);
  }
  fr_sort(a->funcs, a->func_count, sizeof(*a->funcs), func_cmp);
  fprintf(g_out, "],\n\"functions\":[");
  for (uint32_t i = 0; i < rows(a->func_count, o->top); i++) {
    struct fr_func_stats *f = &a->funcs[i];
    fprintf(g_out, "%s\n{", i ? "," : "");
    json_site("site", f->site);
    fprintf(g_out, ",");
    json_dist("inclusive", &f->inclusive);
    fprintf(g_out, ",\"total_ns\":%.0f,\"self_ns\":%.0f,\"partial\":%llu,"
                   "\"counted\":%llu,\"slow_kept\":%llu}",
            ns(f->outer_total), ns(f->exclusive_total),
            (unsigned long long)f->partial, (unsigned long long)f->counted,
            (unsigned long long)f->slow_kept);
  }
  fr_sort(a->locks, a->lock_count, sizeof(*a->locks), lock_cmp);
  fprintf(g_out, "],\n\"locks\":[");
  for (uint32_t i = 0; i < rows(a->lock_count, o->top); i++) {
    struct fr_lock_stats *l = &a->locks[i];
    fprintf(g_out, "%s\n{\"addr\":%llu,\"kind\":\"%s\",\"acquired\":%llu,"
           "\"contended\":%llu,\"failed\":%llu,\"signals\":%llu,",
           i ? "," : "", (unsigned long long)l->addr, lock_kind(l->detail),
           (unsigned long long)l->acquisitions,
           (unsigned long long)l->contended, (unsigned long long)l->failed,
           (unsigned long long)l->signals);
    json_dist("wait", &l->wait);
    fprintf(g_out, ",");
    json_dist("hold", &l->hold);
    fprintf(g_out, ",\"threads\":[");
    uint32_t shown = l->thread_count < FR_LOCK_MAX_THREADS ? l->thread_count
                                                           : FR_LOCK_MAX_THREADS;
    for (uint32_t k = 0; k < shown; k++)
      fprintf(g_out, "%s%u", k ? "," : "", l->threads[k]);
    fprintf(g_out, "]}");
  }
  fr_sort(a->lock_sites, a->lock_site_count, sizeof(*a->lock_sites),
        lock_site_cmp);
  fprintf(g_out, "],\n\"lock_sites\":[");
  for (uint32_t i = 0; i < rows(a->lock_site_count, o->top); i++) {
    struct fr_lock_site_stats *l = &a->lock_sites[i];
    fprintf(g_out, "%s\n{", i ? "," : "");
    json_site("site", l->site);
    fprintf(g_out, ",\"acquired\":%llu,\"contended\":%llu,\"failed\":%llu,",
           (unsigned long long)l->acquisitions,
           (unsigned long long)l->contended, (unsigned long long)l->failed);
    json_dist("wait", &l->wait);
    fprintf(g_out, ",");
    json_dist("hold", &l->hold);
    fprintf(g_out, "}");
  }
  fr_sort(a->block_sites, a->block_site_count, sizeof(*a->block_sites),
        block_cmp);
  fprintf(g_out, "],\n\"blocking_sites\":[");
  for (uint32_t i = 0; i < rows(a->block_site_count, o->top); i++) {
    struct fr_block_stats *b = &a->block_sites[i];
    fprintf(g_out, "%s\n{", i ? "," : "");
    json_site("site", b->site);
    fprintf(g_out, ",\"errors\":%llu,\"partial\":%llu,", (unsigned long long)b->errors,
           (unsigned long long)b->partial);
    json_dist("duration", &b->duration);
    fprintf(g_out, "}");
  }
  fr_sort(a->fds, a->fd_count, sizeof(*a->fds), block_cmp);
  fprintf(g_out, "],\n\"fds\":[");
  for (uint32_t i = 0; i < rows(a->fd_count, o->top); i++) {
    struct fr_block_stats *b = &a->fds[i];
    fprintf(g_out, "%s\n{\"fd\":%lld,\"errors\":%llu,", i ? "," : "",
           (long long)b->key, (unsigned long long)b->errors);
    json_dist("duration", &b->duration);
    fprintf(g_out, ",");
    json_site("first_site", b->site);
    fprintf(g_out, "}");
  }
  fr_sort(a->users, a->user_count, sizeof(*a->users), user_cmp);
  fprintf(g_out, "],\n\"user\":[");
  for (uint32_t i = 0, n = 0; i < a->user_count; i++) {
    struct fr_user_stats *u = &a->users[i];
    static const char *const kinds[] = {"?", "task", "region", "log"};
    fprintf(g_out, "%s\n{\"kind\":\"%s\",\"unfinished\":%llu,", n++ ? "," : "",
            kinds[u->kind <= 3 ? u->kind : 0], (unsigned long long)u->unfinished);
    json_site("site", u->site);
    fprintf(g_out, ",");
    json_dist("duration", &u->duration);
    fprintf(g_out, "}");
  }
  fprintf(g_out, "],\n\"logs\":[");
  for (uint32_t i = 0; i < a->recent_log_count; i++) {
    const struct fr_log_entry *e = &a->recent_logs[i];
    const struct fr_site_info *si = fr_snapshot_site(s, e->category);
    fprintf(g_out, "%s\n{\"ms\":%.6f,\"thread\":%u,\"task\":%llu,\"category\":",
            i ? "," : "", at_ms(e->ticks), e->thread, (unsigned long long)e->task);
    json_string(si ? si->function : "?");
    fprintf(g_out, ",\"text\":");
    json_string(e->text);
    fprintf(g_out, "}");
  }
  fr_sort(a->longest, a->longest_count, sizeof(*a->longest), blocked_cmp);
  fr_sort(a->open, a->open_count, sizeof(*a->open), blocked_cmp);
  fprintf(g_out, "],\n\"longest_blocked\":[");
  for (uint32_t i = 0; i < a->longest_count; i++) {
    fprintf(g_out, "%s\n", i ? "," : "");
    json_blocked(&a->longest[i]);
  }
  fprintf(g_out, "],\n\"blocked_at_snapshot\":[");
  for (uint32_t i = 0; i < a->open_count; i++) {
    fprintf(g_out, "%s\n", i ? "," : "");
    json_blocked(&a->open[i]);
  }
  struct muted_row *muted;
  uint32_t muted_count = muted_rows(s, a, &muted);
  fprintf(g_out, "],\n\"budget_percent\":%g,\"muted\":[", s->hdr.budget_ppm / 1e4);
  for (uint32_t i = 0; i < muted_count; i++) {
    const struct muted_row *r = &muted[i];
    fprintf(g_out, "%s\n{\"kind\":\"%s\",", i ? "," : "",
            site_kind_name(r->site->kind));
    json_site("site", r->site->id);
    if (r->mute && r->mute->ticks)
      fprintf(g_out, ",\"per_second\":%llu,\"ms\":%.6f,\"thread\":%u",
              (unsigned long long)r->mute->per_second, at_ms(r->mute->ticks),
              r->mute->thread);
    else
      fprintf(g_out, ",\"per_second\":null,\"ms\":null,\"thread\":null");
    if (r->mute && r->mute->rearmed)
      fprintf(g_out, ",\"rearmed_ms\":%.6f}", at_ms(r->mute->rearmed));
    else
      fprintf(g_out, ",\"rearmed_ms\":null}");
  }
  free(muted);
  fr_sort(a->counted, a->counted_count, sizeof(*a->counted), counted_cmp);
  fprintf(g_out, "],\n\"counted\":[");
  for (uint32_t i = 0, end, row = 0; i < a->counted_count; i = end, row++) {
    uint64_t slow, calls = counted_site_calls(a, i, &end, &slow);
    fprintf(g_out, "%s\n{", row ? "," : "");
    json_site("site", a->counted[i].site);
    fprintf(g_out, ",\"calls\":%llu,\"slow_calls\":%llu,\"threads\":[",
            (unsigned long long)calls, (unsigned long long)slow);
    for (uint32_t k = i; k < end; k++)
      fprintf(g_out, "%s{\"thread\":%u,\"calls\":%llu,\"slow_calls\":%llu}",
              k > i ? "," : "", a->counted[k].thread,
              (unsigned long long)a->counted[k].calls,
              (unsigned long long)a->counted[k].slow);
    fprintf(g_out, "]}");
  }
  fprintf(g_out, "]}\n");
}

// ---- Command -----------------------------------------------------------------

static int parse_options(int argc, char **argv, struct options *o) {
  *o = (struct options){NULL, 20, SORT_TOTAL, 0};
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (!strncmp(arg, "--top=", 6)) {
      char *end;
      long n = strtol(arg + 6, &end, 10);
      if (*end || end == arg + 6 || n < 0 || n > 1000000)
        return frtool_usage_error(&frtool_summary,
                                  "--top wants a number (0: every row)");
      o->top = (uint32_t)n;
    } else if (!strncmp(arg, "--sort=", 7)) {
      const char *k = arg + 7;
      if (!strcmp(k, "total"))
        o->sort = SORT_TOTAL;
      else if (!strcmp(k, "count"))
        o->sort = SORT_COUNT;
      else if (!strcmp(k, "max"))
        o->sort = SORT_MAX;
      else if (!strcmp(k, "p99"))
        o->sort = SORT_P99;
      else
        return frtool_usage_error(&frtool_summary,
                                  "--sort wants total, count, max or p99");
    } else if (!strcmp(arg, "--json")) {
      o->json = 1;
    } else if (!strcmp(arg, "--muted-list")) {
      o->muted_list = 1;
    } else if (arg[0] == '-' && arg[1]) {
      return frtool_usage_error(&frtool_summary, "unknown option");
    } else if (o->path) {
      return frtool_usage_error(&frtool_summary, "one snapshot at a time");
    } else {
      o->path = arg;
    }
  }
  if (!o->path)
    return frtool_usage_error(&frtool_summary, "no snapshot given");
  return FRTOOL_OK;
}

static int run(int argc, char **argv) {
  struct options o;
  int status = parse_options(argc, argv, &o);
  if (status != FRTOOL_OK)
    return status;
  struct fr_snapshot s;
  enum fr_open_result r = fr_snapshot_open_ex(o.path, &s, 0);
  if (r == FR_OPEN_FAILED) {
    fprintf(stderr, "frtool summary: %s: %s\n", o.path, s.error);
    fr_snapshot_close(&s);
    return FRTOOL_BAD_INPUT;
  }
  frtool_print_notes(&frtool_summary, o.path, &s);
  struct fr_analysis a;
  if (fr_analyze(&s, o.top ? o.top : 10, &a) != 0) {
    fprintf(stderr, "frtool summary: %s: out of memory\n", o.path);
    fr_analysis_free(&a);
    fr_snapshot_close(&s);
    return FRTOOL_BAD_INPUT;
  }
  g_snapshot = &s;
  g_analysis = &a;
  g_sort = o.sort;
  g_out = stdout;
  if (o.muted_list)
    print_muted_list(&s, &a, &o);
  else if (o.json)
    print_json(&s, &a, &o);
  else
    print_text(&s, &a, &o);
  if (a.unknown_events && !s.events_checked)
    fprintf(stderr, "frtool summary: %s: note: skipped %llu events of kinds "
                    "this frtool does not know (written by a newer fr?)\n",
            o.path, (unsigned long long)a.unknown_events);
  if (r == FR_OPEN_DAMAGED) {
    fprintf(stderr, "frtool summary: %s: %s (the summary covers the intact "
                    "part)\n",
            o.path, s.error);
    status = FRTOOL_BAD_INPUT;
  } else if (a.malformed_chunks) {
    fprintf(stderr, "frtool summary: %s: %llu chunk%s with a malformed event "
                    "(the summary covers the events before it)\n",
            o.path, (unsigned long long)a.malformed_chunks,
            a.malformed_chunks == 1 ? "" : "s");
    status = FRTOOL_BAD_INPUT;
  }
  fr_analysis_free(&a);
  fr_snapshot_close(&s);
  return status;
}

void fr_summary_json(const struct fr_snapshot *s, struct fr_analysis *a,
                     uint32_t top, FILE *out) {
  struct options o = {"", top, SORT_TOTAL, 1, 0};
  g_snapshot = s;
  g_analysis = a;
  g_sort = SORT_TOTAL;
  g_out = out;
  print_json(s, a, &o);
}

const struct frtool_command frtool_summary = {
    "summary",
    "where the time went: functions, threads, locks, blocking calls",
    "summary [--top=N] [--sort=total|count|max|p99] [--json|--muted-list] "
    "FILE",
    run};
