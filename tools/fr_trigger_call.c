// SPDX-License-Identifier: Apache-2.0
// fr_trigger_call.c: which call fired a condition trigger (fr_trigger_call.h).
#include "fr_trigger_call.h"

#include "fr_stats.h"

#include <stdlib.h>

struct open_call {
  uint32_t site;
  uint64_t since;
};

int fr_trigger_call(const struct fr_snapshot *s,
                    const struct fr_chunk_view *const *order, uint64_t *from,
                    uint64_t *to) {
  const struct fr_file_header *h = &s->hdr;
  if (h->trigger != FR_TRIGGER_CONDITION || !h->trigger_thread ||
      !h->trigger_site)
    return FR_TRIGGER_CALL_NOT_CONDITION;
  struct open_call *stack = NULL, wait = {0, 0};
  uint32_t depth = 0, cap = 0;
  double best = -1;
  for (uint32_t i = 0; i < s->chunk_count; i++) {
    const struct fr_chunk_view *c = order[i];
    if (c->hdr.thread_index != h->trigger_thread)
      continue;
    if (i && order[i - 1]->hdr.thread_index == c->hdr.thread_index &&
        order[i - 1]->hdr.seq + 1 != c->hdr.seq)
      depth = 0, wait.site = 0; // a gap: what was open is unknown
    struct fr_cursor cur;
    struct fr_event ev;
    fr_cursor_init(c, &cur);
    while (fr_chunk_next(c, &cur, &ev) == 1) {
      uint64_t begun = 0, outer = 0;
      if (ev.event_class == FR_EV_ENTER) {
        if (depth == cap &&
            fr_grow((void **)&stack, &cap, depth + 1, sizeof(*stack)))
          continue; // out of memory: this frame is not followed
        stack[depth++] = (struct open_call){ev.id, ev.ticks};
        continue;
      }
      if (ev.event_class == FR_EV_EXIT) {
        uint32_t k = depth;
        while (k > 0 && stack[k - 1].site != ev.id)
          k--;
        if (k == 0)
          continue;
        depth = k - 1;
        if (ev.id != h->trigger_site)
          continue;
        begun = outer = stack[k - 1].since;
      } else if (ev.event_class == FR_EV_SITE && ev.id == h->trigger_site) {
        int begins = ev.site_event == FR_SEV_WAIT ||
                     ev.site_event == FR_SEV_CALL ||
                     ev.site_event == FR_SEV_COND_WAIT;
        int ends = ev.site_event == FR_SEV_ACQUIRED ||
                   ev.site_event == FR_SEV_RETURN ||
                   ev.site_event == FR_SEV_COND_WOKEN;
        if (begins) {
          wait = (struct open_call){ev.id, ev.ticks};
          continue;
        }
        if (!ends || wait.site != ev.id)
          continue;
        begun = wait.since;
        // Shown inside the function call around it, when known.
        outer = depth ? stack[depth - 1].since : begun;
        wait.site = 0;
      } else {
        continue;
      }
      double took = fr_snapshot_ticks_to_ns(s, ev.ticks) -
                    fr_snapshot_ticks_to_ns(s, begun);
      double off = took > (double)h->trigger_ns ? took - (double)h->trigger_ns
                                                : (double)h->trigger_ns - took;
      if (best < 0 || off <= best) {
        best = off;
        *from = outer;
        *to = ev.ticks;
      }
    }
  }
  free(stack);
  return best < 0 ? FR_TRIGGER_CALL_NOT_IN_WINDOW : FR_TRIGGER_CALL_FOUND;
}

