// SPDX-License-Identifier: Apache-2.0
// fr_text.h: lines of text built without stdio or allocation: the runtime's
// messages and its file names.
//
// The runtime speaks from places where stdio and malloc are not safe: a
// module constructor (which may belong to an instrumented allocator), a
// signal handler, a crash. A line is built in a caller's buffer and written
// to stderr with one write(2). Values that came from the user (an option
// string) are echoed cut to FR_TEXT_VALUE_MAX bytes, control characters
// shown as '?', so a hostile value cannot forge lines on a terminal or a log.
//
// Concurrency: none; everything is on the caller's stack.
#ifndef FR_TEXT_H
#define FR_TEXT_H

#include "fr_internal.h"

#include <string.h>
#include <unistd.h>

#define FR_TEXT_VALUE_MAX 64

struct fr_text {
  char *p;
  size_t left; // room, keeping one byte for the NUL
  int overflow;
};

static inline struct fr_text fr_text_in(char *buf, size_t size) {
  buf[0] = 0;
  return (struct fr_text){buf, size - 1, 0};
}

static inline void fr_text_add(struct fr_text *t, const char *s, size_t n) {
  if (n > t->left) {
    t->overflow = 1;
    n = t->left;
  }
  memcpy(t->p, s, n);
  t->p += n;
  t->left -= n;
  *t->p = 0;
}

static inline void fr_text_str(struct fr_text *t, const char *s) {
  fr_text_add(t, s, s ? strlen(s) : 0);
}

static inline void fr_text_uint(struct fr_text *t, uint64_t v, int width) {
  char digits[24];
  fr_text_add(t, digits, fr_decimal(v, width, digits));
}

// A value the user gave, made safe to echo.
static inline void fr_text_value_upto(struct fr_text *t, const char *s,
                                      size_t n, size_t max) {
  size_t shown = n > max ? max : n;
  for (size_t i = 0; i < shown; i++) {
    char c = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    fr_text_add(t, &c, 1);
  }
  if (shown < n)
    fr_text_str(t, "...");
}

static inline void fr_text_value(struct fr_text *t, const char *s, size_t n) {
  fr_text_value_upto(t, s, n, FR_TEXT_VALUE_MAX);
}

// A file name (a path the loader gave), whole up to PATH_MAX-ish lengths.
static inline void fr_text_path(struct fr_text *t, const char *s) {
  fr_text_value_upto(t, s, strlen(s), 512);
}

// errno's meaning in English, without the locale's catalogue (strerror may
// load one, and allocate).
static inline void fr_text_errno(struct fr_text *t, int err) {
  const char *what = strerrordesc_np(err);
  if (what) {
    fr_text_str(t, what);
    return;
  }
  fr_text_str(t, "error ");
  fr_text_uint(t, (uint64_t)err, 1);
}

// Ends the line and writes it to stderr in one write(2).
static inline void fr_text_say(struct fr_text *t, char *buf) {
  if (t->left)
    fr_text_add(t, "\n", 1);
  else if (t->p > buf)
    t->p[-1] = '\n'; // full: the last character gives way
  else
    return;
  ssize_t ignored = write(STDERR_FILENO, buf, (size_t)(t->p - buf));
  (void)ignored;
}

#endif // FR_TEXT_H
