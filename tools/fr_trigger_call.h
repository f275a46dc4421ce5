// SPDX-License-Identifier: Apache-2.0
// fr_trigger_call.h: the call that fired a condition trigger, for
// `frtool dump --trigger` and the report's trigger marker. The header names
// its thread, its site and how long it took; the call is the one of that
// site on that thread whose duration is nearest to it (a function's call, a
// lock wait, a blocking call), taken with the function call around it when
// it is a wait.
#ifndef FR_TRIGGER_CALL_H
#define FR_TRIGGER_CALL_H

#include "fr_reader.h"

#include <stdint.h>

enum {
  FR_TRIGGER_CALL_FOUND = 0,
  FR_TRIGGER_CALL_NOT_CONDITION = 1, // not taken by a condition: no call
  FR_TRIGGER_CALL_NOT_IN_WINDOW = 2, // the call is older than the window
};

// order: the snapshot's chunks by (thread, sequence)
// (fr_snapshot_chunks_in_order). Sets *from and *to to the call's ticks
// (from: the enclosing call's start for a wait) when found.
int fr_trigger_call(const struct fr_snapshot *s,
                    const struct fr_chunk_view *const *order, uint64_t *from,
                    uint64_t *to);

#endif
