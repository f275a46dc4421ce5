// SPDX-License-Identifier: Apache-2.0
// fr_sink.h: frtool export's output: a buffer filled by the exporter while a
// second thread writes the previous one, so that encoding and the kernel's
// write (as long as encoding on this machine: a 1.2 GB Perfetto trace) run
// side by side.
//
// Concurrency: one producer (the exporting thread) and one writer thread,
// two buffers passed between them under a mutex; the producer waits only
// when both are full.
#ifndef FR_SINK_H
#define FR_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fr_sink;

// A sink writing to out (which it does not close). NULL when out of memory.
struct fr_sink *fr_sink_open(FILE *out);
// Room for n bytes (n <= 64 KiB) at the returned pointer; fr_sink_commit
// then says how many were written there.
uint8_t *fr_sink_reserve(struct fr_sink *s, size_t n);
void fr_sink_commit(struct fr_sink *s, size_t n);
void fr_sink_write(struct fr_sink *s, const void *data, size_t n);
void fr_sink_printf(struct fr_sink *s, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
// Writes what is left, stops the writer, frees the sink; 0 if every write
// succeeded.
int fr_sink_close(struct fr_sink *s);

#endif // FR_SINK_H
