// SPDX-License-Identifier: Apache-2.0
// cmd_dump.c: frtool dump FILE: every event, one per line, in time order.
//
//   # program fib pid 4242 trigger exit format 1
//   # thread T1 tid 4242 name "fib"
//         0.012345 T1 enter fib fib.c:3
//
// Times are milliseconds since the recorder started. A damaged file is dumped
// as far as it is intact, then the defect is reported and the exit status is 1.
#include "fr_events.h"
#include "fr_reader.h"
#include "frtool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dump_event {
  struct fr_event ev;
  uint32_t thread_index;
  uint32_t chunk_seq;
  uint32_t order; // within the chunk
};

static int dump_event_cmp(const void *a, const void *b) {
  const struct dump_event *x = a, *y = b;
  if (x->ev.ticks != y->ev.ticks)
    return x->ev.ticks < y->ev.ticks ? -1 : 1;
  if (x->thread_index != y->thread_index)
    return x->thread_index < y->thread_index ? -1 : 1;
  if (x->chunk_seq != y->chunk_seq)
    return x->chunk_seq < y->chunk_seq ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
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
  qsort(order, s->chunk_count, sizeof(*order), chunk_order_cmp);
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
    case FR_EXT_MUTED: {
      const struct fr_site_info *muted = fr_snapshot_site(s, (uint32_t)d->ev.arg);
      printf("muted %s%s%s %llu/s\n", muted ? muted->callee : "",
             muted && muted->callee[0] ? " in " : "",
             muted ? muted->function : "?", (unsigned long long)d->ev.field[0]);
      break;
    }
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
  for (int i = 1; i < argc; i++) {
    if (!strncmp(argv[i], "--thread=", 9)) {
      char *end;
      only_thread = strtol(argv[i] + 9, &end, 10);
      if (*end || only_thread < 0)
        return frtool_usage_error(&frtool_dump, "--thread wants a number");
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
  size_t n = 0, cap = 1024;
  struct dump_event *events = malloc(cap * sizeof(*events));
  for (uint32_t i = 0; events && i < s.chunk_count; i++) {
    const struct fr_chunk_view *c = &s.chunks[i];
    if (only_thread >= 0 && c->hdr.thread_index != (uint32_t)only_thread)
      continue;
    uint32_t order = 0;
    struct fr_cursor cur;
    fr_cursor_init(c, &cur);
    struct fr_event ev;
    while (fr_chunk_next(c, &cur, &ev) == 1) {
      if (n == cap) {
        cap *= 2;
        struct dump_event *grown = realloc(events, cap * sizeof(*events));
        if (!grown)
          break;
        events = grown;
      }
      events[n++] = (struct dump_event){ev, c->hdr.thread_index, c->hdr.seq,
                                        order++};
    }
  }
  if (!events) {
    fprintf(stderr, "frtool dump: out of memory\n");
    fr_snapshot_close(&s);
    return FRTOOL_BAD_INPUT;
  }
  qsort(events, n, sizeof(*events), dump_event_cmp);

  printf("# program %s pid %u trigger %s format %u\n", s.hdr.program,
         s.hdr.pid, trigger_name(s.hdr.trigger), s.hdr.version);
  if (s.hdr.trigger != FR_TRIGGER_API && s.hdr.trigger != FR_TRIGGER_EXIT) {
    char why[512];
    fr_format_trigger(&s, why, sizeof(why));
    printf("# trigger %s\n", why);
  }
  printf("# max_bytes %llu min_age %.3f s events %zu\n",
         (unsigned long long)s.hdr.max_bytes, (double)s.hdr.min_age_ns / 1e9,
         n);
  print_threads(&s, only_thread);
  for (size_t i = 0; i < n; i++)
    print_event(&s, &events[i]);
  free(events);
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
    "dump [--thread=N] FILE", run};
