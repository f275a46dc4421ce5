// SPDX-License-Identifier: Apache-2.0
// fr_sink.c: double-buffered output with a writer thread (see fr_sink.h).
//
// Concurrency: `filling` belongs to the producer. A full buffer is handed
// over by setting `pending` under the mutex; the writer takes it, writes it
// without the lock, and hands it back as `spare`. The producer blocks only
// when it needs a fresh buffer and none is spare (the writer is behind).
#include "fr_sink.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SINK_BUFFER (4u << 20)
#define SINK_RESERVE_MAX (64u << 10)

struct sink_buffer {
  uint8_t *data;
  size_t len;
};

struct fr_sink {
  FILE *out;
  struct sink_buffer buffers[2];
  struct sink_buffer *filling;          // the producer's
  struct sink_buffer *pending, *spare;  // under lock
  int closing, failed;                  // under lock
  pthread_mutex_t lock;
  pthread_cond_t changed;
  pthread_t writer;
  int threaded;
};

static void *sink_writer(void *arg) {
  struct fr_sink *s = arg;
  pthread_mutex_lock(&s->lock);
  for (;;) {
    while (!s->pending && !s->closing)
      pthread_cond_wait(&s->changed, &s->lock);
    if (!s->pending)
      break; // closing, and nothing left
    struct sink_buffer *b = s->pending;
    s->pending = NULL;
    pthread_mutex_unlock(&s->lock);
    int ok = fwrite(b->data, 1, b->len, s->out) == b->len;
    pthread_mutex_lock(&s->lock);
    b->len = 0;
    s->spare = b;
    s->failed |= !ok;
    pthread_cond_broadcast(&s->changed);
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

struct fr_sink *fr_sink_open(FILE *out) {
  struct fr_sink *s = calloc(1, sizeof(*s));
  if (!s)
    return NULL;
  s->out = out;
  for (int i = 0; i < 2; i++)
    if (!(s->buffers[i].data = malloc(SINK_BUFFER))) {
      free(s->buffers[0].data);
      free(s);
      return NULL;
    }
  s->filling = &s->buffers[0];
  s->spare = &s->buffers[1];
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->changed, NULL);
  // Without a thread the sink still works: it writes in place.
  s->threaded = pthread_create(&s->writer, NULL, sink_writer, s) == 0;
  return s;
}

// Hands the full buffer to the writer and takes the spare one.
static void sink_swap(struct fr_sink *s) {
  if (!s->threaded) {
    if (fwrite(s->filling->data, 1, s->filling->len, s->out) != s->filling->len)
      s->failed = 1;
    s->filling->len = 0;
    return;
  }
  pthread_mutex_lock(&s->lock);
  while (!s->spare || s->pending)
    pthread_cond_wait(&s->changed, &s->lock);
  s->pending = s->filling;
  s->filling = s->spare;
  s->spare = NULL;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->lock);
}

uint8_t *fr_sink_reserve(struct fr_sink *s, size_t n) {
  if (n > SINK_RESERVE_MAX)
    abort(); // a caller's bug, not input: every caller reserves a constant
  if (s->filling->len + n > SINK_BUFFER)
    sink_swap(s);
  return s->filling->data + s->filling->len;
}

void fr_sink_commit(struct fr_sink *s, size_t n) { s->filling->len += n; }

void fr_sink_write(struct fr_sink *s, const void *data, size_t n) {
  const uint8_t *p = data;
  while (n) {
    size_t step = n < SINK_RESERVE_MAX ? n : SINK_RESERVE_MAX;
    memcpy(fr_sink_reserve(s, step), p, step);
    fr_sink_commit(s, step);
    p += step;
    n -= step;
  }
}

void fr_sink_printf(struct fr_sink *s, const char *format, ...) {
  char line[4096];
  va_list ap;
  va_start(ap, format);
  int n = vsnprintf(line, sizeof(line), format, ap);
  va_end(ap);
  if (n > 0)
    fr_sink_write(s, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

int fr_sink_close(struct fr_sink *s) {
  if (s->filling->len)
    sink_swap(s);
  int failed;
  if (s->threaded) {
    pthread_mutex_lock(&s->lock);
    s->closing = 1;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->writer, NULL);
  }
  failed = s->failed;
  pthread_mutex_destroy(&s->lock);
  pthread_cond_destroy(&s->changed);
  free(s->buffers[0].data);
  free(s->buffers[1].data);
  free(s);
  return failed ? -1 : 0;
}
