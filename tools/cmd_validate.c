// SPDX-License-Identifier: Apache-2.0
// cmd_validate.c: frtool validate FILE...: is each snapshot sound?
//
// Exit status 0 when every file is sound; 1 when any is not, after naming
// its first defect and what could be recovered.
#include "fr_reader.h"
#include "fr_stats.h"
#include "frtool.h"

#include <stdio.h>
#include <stdlib.h>

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

// Distinct thread indices among the chunks.
static uint32_t count_threads(const struct fr_snapshot *s) {
  uint32_t *ids = malloc((s->chunk_count + 1) * sizeof(*ids));
  if (!ids)
    return 0;
  for (uint32_t i = 0; i < s->chunk_count; i++)
    ids[i] = s->chunks[i].hdr.thread_index;
  fr_sort(ids, s->chunk_count, sizeof(*ids), cmp_u32);
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->chunk_count; i++)
    n += i == 0 || ids[i] != ids[i - 1];
  free(ids);
  return n;
}

// Where the lost events went, per cause and per thread: nothing when none
// were.
static void print_drops(const struct fr_snapshot *s) {
  if (!fr_drops_total(s))
    return;
  struct fr_drops all = fr_snapshot_drops(s, 0);
  uint64_t unreported = fr_drops_total(s) - fr_drops_sum(&all);
  printf("  lost: %llu in signal handlers (reentrant), %llu for want of "
         "space, %llu after their thread exited",
         (unsigned long long)all.reentrant, (unsigned long long)all.no_space,
         (unsigned long long)unreported);
  if (all.unknown)
    printf(", %llu of no recorded cause", (unsigned long long)all.unknown);
  printf("\n");
  // Per thread, the ten that lost most (thousands of threads may have).
  struct lost_row {
    uint32_t thread;
    struct fr_drops d;
  } top[10];
  uint32_t ntop = 0, with_losses = 0, last_thread = 0;
  const struct fr_chunk_view **order = fr_snapshot_chunks_in_order(s);
  for (uint32_t i = 0; order && i < s->chunk_count; i++) {
    uint32_t t = order[i]->hdr.thread_index;
    if (t == last_thread)
      continue;
    last_thread = t;
    struct lost_row row = {t, fr_snapshot_drops(s, t)};
    uint64_t sum = fr_drops_sum(&row.d);
    if (!sum)
      continue;
    with_losses++;
    uint32_t k = ntop < 10 ? ntop++ : 9;
    if (k == 9 && ntop == 10 && fr_drops_sum(&top[9].d) >= sum)
      continue;
    while (k > 0 && fr_drops_sum(&top[k - 1].d) < sum) {
      top[k] = top[k - 1];
      k--;
    }
    top[k] = row;
  }
  for (uint32_t k = 0; k < ntop; k++)
    printf("  lost by T%u: %llu reentrant, %llu no space%s\n", top[k].thread,
           (unsigned long long)top[k].d.reentrant,
           (unsigned long long)top[k].d.no_space,
           top[k].d.unknown ? " (and events of no recorded cause)" : "");
  if (with_losses > ntop)
    printf("  and %u more threads lost events\n", with_losses - ntop);
  free(order);
}

static int validate_one(const char *path) {
  struct fr_snapshot s;
  enum fr_open_result r = fr_snapshot_open(path, &s);
  if (r == FR_OPEN_FAILED) {
    fprintf(stderr, "%s: invalid: %s\n", path, s.error);
    fr_snapshot_close(&s);
    return FRTOOL_BAD_INPUT;
  }
  uint64_t events = 0, bytes = 0, first, last;
  for (uint32_t i = 0; i < s.chunk_count; i++) {
    events += s.chunks[i].event_count;
    bytes += s.chunks[i].hdr.event_bytes;
  }
  fr_snapshot_window(&s, &first, &last);
  double window_ms = (fr_snapshot_ticks_to_ns(&s, last) -
                      fr_snapshot_ticks_to_ns(&s, first)) / 1e6;
  if (r == FR_OPEN_DAMAGED) {
    fprintf(stderr,
            "%s: invalid: %s (%u intact chunks, %llu events recoverable)\n",
            path, s.error, s.chunk_count, (unsigned long long)events);
    fr_snapshot_close(&s);
    return FRTOOL_BAD_INPUT;
  }
  printf("%s: valid: %u threads, %u chunks, %llu events in %llu bytes "
         "(%.2f bytes/event), %u sites, window %.3f ms, %llu lost\n",
         path, count_threads(&s), s.chunk_count,
         (unsigned long long)events, (unsigned long long)bytes,
         events ? (double)bytes / (double)events : 0.0, s.site_count,
         window_ms, (unsigned long long)fr_drops_total(&s));
  print_drops(&s);
  for (int i = 0; i < s.notes && i < 4; i++)
    printf("  note: %s\n", s.note[i]);
  if (s.notes > 4)
    printf("  note: and %d more\n", s.notes - 4);
  fr_snapshot_close(&s);
  return FRTOOL_OK;
}

static int run(int argc, char **argv) {
  if (argc < 2)
    return frtool_usage_error(&frtool_validate, "no snapshot given");
  int status = FRTOOL_OK;
  for (int i = 1; i < argc; i++)
    if (validate_one(argv[i]) != FRTOOL_OK)
      status = FRTOOL_BAD_INPUT;
  return status;
}

const struct frtool_command frtool_validate = {
    "validate", "check that snapshots are complete and uncorrupted",
    "validate FILE...", run};
