// SPDX-License-Identifier: Apache-2.0
// cmd_dump.c: frtool dump FILE: every event, one per line, in time order;
// --thread=N one thread's, --trigger the call that fired a condition trigger.
//
//   # program fib pid 4242 trigger exit format 1
//   # thread T1 tid 4242 name "fib"
//         0.012345 T1 enter fib fib.c:3
//
// Times are milliseconds since the recorder started. A damaged file is dumped
// as far as it is intact, then the defect is reported and the exit status is 1.
#include "fr_events.h"
#include "fr_reader.h"
#include "fr_trigger_call.h"
#include "fr_stats.h"
#include "frtool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Dumping merges the threads' streams (each thread's chunks in sequence
// order are in time order) instead of sorting every event: memory is a
// cursor per thread, whatever the number of events.
struct dump_event {
  struct fr_event ev;
  uint32_t thread_index;
};

struct stream {
  const struct fr_chunk_view *const *chunks; // this thread's, in order
  uint32_t count, at;
  struct fr_cursor cur;
  struct dump_event next; // valid while at < count
};

static int stream_before(const struct stream *a, const struct stream *b) {
  if (a->next.ev.ticks != b->next.ev.ticks)
    return a->next.ev.ticks < b->next.ev.ticks;
  return a->next.thread_index < b->next.thread_index;
}

// Moves the stream to its next event; at == count when it has none.
static void stream_advance(const struct fr_snapshot *s, struct stream *st) {
  while (st->at < st->count) {
    const struct fr_chunk_view *c = st->chunks[st->at];
    if (fr_chunk_next(c, &st->cur, &st->next.ev) == 1)
      return;
    fr_snapshot_release(s, c->events, c->hdr.event_bytes);
    if (++st->at < st->count)
      fr_cursor_init(st->chunks[st->at], &st->cur);
  }
}

// A binary min-heap of streams by their next event.
static void heap_down(struct stream **h, uint32_t n, uint32_t i) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && stream_before(h[l], h[m]))
      m = l;
    if (r < n && stream_before(h[r], h[m]))
      m = r;
    if (m == i)
      return;
    struct stream *t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

static const char *trigger_name(uint32_t t) {
  switch (t) {
  case FR_TRIGGER_API:
    return "api";
  case FR_TRIGGER_EXIT:
    return "exit";
  case FR_TRIGGER_SIGNAL:
    return "signal";
  case FR_TRIGGER_CRASH:
    return "crash";
  case FR_TRIGGER_CONDITION:
    return "condition";
  }
  return "unknown";
}

static int chunk_order_cmp(const void *a, const void *b) {
  const struct fr_chunk_header *x = *(const struct fr_chunk_header *const *)a;
  const struct fr_chunk_header *y = *(const struct fr_chunk_header *const *)b;
  if (x->thread_index != y->thread_index)
    return x->thread_index < y->thread_index ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

// Threads, once each, in index order, with the name from their newest chunk.
static void print_threads(const struct fr_snapshot *s, long only_thread) {
  const struct fr_chunk_header **order =
      malloc((s->chunk_count + 1) * sizeof(*order));
  if (!order)
    return;
  for (uint32_t i = 0; i < s->chunk_count; i++)
    order[i] = &s->chunks[i].hdr;
  fr_sort(order, s->chunk_count, sizeof(*order), chunk_order_cmp);
  for (uint32_t i = 0; i < s->chunk_count; i++) {
    const struct fr_chunk_header *h = order[i];
    int newest = i + 1 == s->chunk_count ||
                 order[i + 1]->thread_index != h->thread_index;
    if (newest && (only_thread < 0 || h->thread_index == (uint32_t)only_thread))
      printf("# thread T%u tid %u name \"%s\"\n", h->thread_index, h->tid,
             h->thread_name);
  }
  free(order);
}

static void print_event(const struct fr_snapshot *s, const struct dump_event *d) {
  printf("%14.6f T%u ", fr_snapshot_ticks_to_ns(s, d->ev.ticks) / 1e6,
         d->thread_index);
  if (d->ev.event_class == FR_EV_EXT) {
    switch (d->ev.id) {
    case FR_EXT_THREAD_START:
      printf("thread-start\n");
      break;
    case FR_EXT_THREAD_EXIT:
      printf("thread-exit\n");
      break;
    case FR_EXT_LOST:
      printf("lost %llu\n", (unsigned long long)d->ev.arg);
      break;
    case FR_EXT_DROPPED:
      printf("dropped %llu reentrant %llu no-space %llu\n",
             (unsigned long long)d->ev.arg, (unsigned long long)d->ev.field[0],
             (unsigned long long)d->ev.field[1]);
      break;
    case FR_EXT_MUTED:
    case FR_EXT_REARMED: {
      const struct fr_site_info *site = fr_snapshot_site(s, (uint32_t)d->ev.arg);
      printf("%s %s%s%s", d->ev.id == FR_EXT_MUTED ? "muted" : "rearmed",
             site ? site->callee : "", site && site->callee[0] ? " in " : "",
             site ? site->function : "?");
      if (d->ev.id == FR_EXT_MUTED)
        printf(" %llu/s\n", (unsigned long long)d->ev.field[0]);
      else
        printf(" after %llu ms\n", (unsigned long long)d->ev.field[0]);
      break;
    }
    case FR_EXT_COUNTED:
    case FR_EXT_SLOW_CALL: {
      const struct fr_site_info *site = fr_snapshot_site(s, (uint32_t)d->ev.arg);
      const char *name = site ? site->function : "?";
      if (d->ev.id == FR_EXT_COUNTED) {
        if (d->ev.field[0])
          printf("counted %s %llu calls\n", name,
                 (unsigned long long)d->ev.field[0]);
        else
          printf("counting %s\n", name); // from here, instead of recording
        break;
      }
      // A slow call of a counted site, ending here: its duration.
      uint64_t end = d->ev.ticks;
      uint64_t begin = end > d->ev.field[0] ? end - d->ev.field[0] : 0;
      printf("slow-call %s took %.6f ms\n", name,
             (fr_snapshot_ticks_to_ns(s, end) - fr_snapshot_ticks_to_ns(s, begin)) /
                 1e6);
      break;
    }
    case FR_EXT_RESUMED: {
      const struct fr_site_info *at = fr_snapshot_site(s, (uint32_t)d->ev.arg);
      const char *cause = d->ev.field[0] == FR_RESUME_CATCH    ? "exception caught"
                          : d->ev.field[0] == FR_RESUME_SETJMP ? "setjmp returned"
                                                               : "cause unknown";
      if (at)
        printf("resume %s %s:%u (%s)\n", at->function, at->file, at->line,
               cause);
      else
        printf("resume site#%llu ?:0 (%s)\n", (unsigned long long)d->ev.arg,
               cause);
      break;
    }
    default: // a newer writer's: its payload was skipped by its size
      printf("ext-%u (a kind this frtool does not know)\n", d->ev.id);
    }
    return;
  }
  const struct fr_site_info *site = fr_snapshot_site(s, d->ev.id);
  if (d->ev.event_class == FR_EV_SITE) {
    char name[24], fields[400];
    fr_format_site_fields(site, &d->ev, fields, sizeof(fields));
    if (site && site->kind == FR_SITE_USER) { // the name is the site's
      printf("%s %s %s\n", fr_site_event_name(d->ev.site_event, name),
             site->function, fields);
      return;
    }
    printf("%s %s%s%s", fr_site_event_name(d->ev.site_event, name),
           site && site->callee[0] ? site->callee : "?", fields[0] ? " " : "",
           fields);
    if (site)
      printf(" in %s %s:%u\n", site->function, site->file, site->line);
    else
      printf(" site#%u\n", d->ev.id);
    return;
  }
  const char *what = d->ev.event_class == FR_EV_ENTER ? "enter" : "exit";
  if (site)
    printf("%s %s %s:%u\n", what, site->function, site->file, site->line);
  else
    printf("%s site#%u ?:0\n", what, d->ev.id);
}

static int run(int argc, char **argv) {
  const char *path = NULL;
  long only_thread = -1;
  int trigger_call = 0;
  for (int i = 1; i < argc; i++) {
    if (!strncmp(argv[i], "--thread=", 9)) {
      char *end;
      only_thread = strtol(argv[i] + 9, &end, 10);
      if (*end || only_thread < 0)
        return frtool_usage_error(&frtool_dump, "--thread wants a number");
    } else if (!strcmp(argv[i], "--trigger")) {
      trigger_call = 1;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return frtool_usage_error(&frtool_dump, "unknown option");
    } else if (path) {
      return frtool_usage_error(&frtool_dump, "one snapshot at a time");
    } else {
      path = argv[i];
    }
  }
  if (!path)
    return frtool_usage_error(&frtool_dump, "no snapshot given");

  struct fr_snapshot s;
  enum fr_open_result r = fr_snapshot_open(path, &s);
  if (r == FR_OPEN_FAILED) {
    fprintf(stderr, "frtool dump: %s: %s\n", path, s.error);
    fr_snapshot_close(&s);
    return FRTOOL_BAD_INPUT;
  }
  frtool_print_notes(&frtool_dump, path, &s);
  const struct fr_chunk_view **order = fr_snapshot_chunks_in_order(&s);
  struct stream *streams = calloc(s.chunk_count + 1, sizeof(*streams));
  struct stream **heap = calloc(s.chunk_count + 1, sizeof(*heap));
  if (!order || !streams || !heap) {
    fprintf(stderr, "frtool dump: out of memory\n");
    free(order);
    free(streams);
    free(heap);
    fr_snapshot_close(&s);
    return FRTOOL_BAD_INPUT;
  }
  uint64_t window_from = 0, window_to = UINT64_MAX;
  if (trigger_call) {
    int found = fr_trigger_call(&s, order, &window_from, &window_to);
    if (found == FR_TRIGGER_CALL_NOT_CONDITION)
      fprintf(stderr, "frtool dump: --trigger: this snapshot was not taken by "
                      "a condition (it says which call fired it only then)\n");
    else if (found == FR_TRIGGER_CALL_NOT_IN_WINDOW)
      fprintf(stderr, "frtool dump: --trigger: the call that fired the "
                      "trigger is not in the window (T%u, site %u)\n",
              s.hdr.trigger_thread, s.hdr.trigger_site);
    if (found != FR_TRIGGER_CALL_FOUND) {
      free(order);
      free(streams);
      free(heap);
      fr_snapshot_close(&s);
      return FRTOOL_BAD_INPUT;
    }
    only_thread = s.hdr.trigger_thread;
  }
  uint32_t nstreams = 0;
  uint64_t n = 0;
  for (uint32_t i = 0; i < s.chunk_count;) {
    uint32_t thread = order[i]->hdr.thread_index, to = i;
    while (to < s.chunk_count && order[to]->hdr.thread_index == thread)
      n += order[to++]->event_count;
    if (only_thread < 0 || thread == (uint32_t)only_thread) {
      struct stream *st = &streams[nstreams];
      *st = (struct stream){order + i, to - i, 0, {0}, {{0}, thread}};
      fr_cursor_init(order[i], &st->cur);
      stream_advance(&s, st);
      if (st->at < st->count)
        heap[nstreams++] = st;
    } else {
      for (uint32_t k = i; k < to; k++)
        n -= order[k]->event_count;
    }
    i = to;
  }
  for (uint32_t i = nstreams / 2 + 1; i-- > 0;)
    heap_down(heap, nstreams, i);

  printf("# program %s pid %u trigger %s format %u\n", s.hdr.program,
         s.hdr.pid, trigger_name(s.hdr.trigger), s.hdr.version);
  if (s.hdr.trigger != FR_TRIGGER_API && s.hdr.trigger != FR_TRIGGER_EXIT) {
    char why[512];
    fr_format_trigger(&s, why, sizeof(why));
    printf("# trigger %s\n", why);
  }
  printf("# max_bytes %llu min_age %.3f s events %llu\n",
         (unsigned long long)s.hdr.max_bytes, (double)s.hdr.min_age_ns / 1e9,
         (unsigned long long)n);
  print_threads(&s, only_thread);
  while (nstreams) {
    struct stream *st = heap[0];
    if (st->next.ev.ticks >= window_from && st->next.ev.ticks <= window_to)
      print_event(&s, &st->next);
    stream_advance(&s, st);
    if (st->at == st->count)
      heap[0] = heap[--nstreams];
    heap_down(heap, nstreams, 0);
  }
  free(order);
  free(streams);
  free(heap);
  int status = FRTOOL_OK;
  if (r == FR_OPEN_DAMAGED) {
    fprintf(stderr, "frtool dump: %s: %s (the events above are the intact "
                    "part)\n",
            path, s.error);
    status = FRTOOL_BAD_INPUT;
  }
  fr_snapshot_close(&s);
  return status;
}

const struct frtool_command frtool_dump = {
    "dump", "print every event, one per line, in time order",
    "dump [--thread=N | --trigger] FILE", run};
