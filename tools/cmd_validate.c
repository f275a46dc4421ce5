// SPDX-License-Identifier: Apache-2.0
// cmd_validate.c: frtool validate FILE...: is each snapshot sound?
//
// Exit status 0 when every file is sound; 1 when any is not, after naming
// its first defect and what could be recovered.
#include "fr_reader.h"
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
  qsort(ids, s->chunk_count, sizeof(*ids), cmp_u32);
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->chunk_count; i++)
    n += i == 0 || ids[i] != ids[i - 1];
  free(ids);
  return n;
}

static int validate_one(const char *path) {
  struct fr_snapshot s;
  enum fr_open_result r = fr_snapshot_open(path, &s);
  if (r == FR_OPEN_FAILED) {
    fprintf(stderr, "%s: invalid: %s\n", path, s.error);
    fr_snapshot_close(&s);
    return FRTOOL_BAD_INPUT;
  }
  uint64_t events = 0, bytes = 0, first = UINT64_MAX, last = 0;
  for (uint32_t i = 0; i < s.chunk_count; i++) {
    const struct fr_chunk_view *c = &s.chunks[i];
    events += c->event_count;
    if (c->event_count && c->first_ticks < first)
      first = c->first_ticks;
    if (c->last_ticks > last)
      last = c->last_ticks;
    bytes += c->hdr.event_bytes;
  }
  double window_ms =
      events ? (fr_snapshot_ticks_to_ns(&s, last) -
                fr_snapshot_ticks_to_ns(&s, first)) / 1e6
             : 0;
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
         window_ms, (unsigned long long)s.end.lost_events);
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
