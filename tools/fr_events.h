// SPDX-License-Identifier: Apache-2.0
// fr_events.h: words for events, shared by frtool's commands: the name of a
// lock or blocking event, of what a call's argument is, of an errno value.
#ifndef FR_EVENTS_H
#define FR_EVENTS_H

#include "fr_reader.h"

#include <stddef.h>
#include <stdio.h>

// "acquire", "wait", ... or "site-event-N" for a kind this frtool does not know.
const char *fr_site_event_name(uint32_t site_event, char buf[24]);

// What a blocking site's argument is: "fd", "pid", ... ("arg" when unknown,
// NULL for FR_ARG_NONE).
const char *fr_blocking_arg_name(uint32_t detail);

// A blocking call's argument as "fd=3", "thread=0x7f..." (hex for addresses
// and threads); "" for FR_ARG_NONE.
void fr_format_blocking_arg(uint32_t detail, int64_t value, char *buf,
                            size_t size);

// A duration in the unit that fits: 950ns, 12.3us, 4.235ms, 1.500s.
const char *fr_format_ns(double ns, char buf[32]);

// text as a JSON string. "<", ">" and "&" are escaped too, so the same
// output is safe inside the report's <script> element.
void fr_json_string(FILE *out, const char *text);
// The same into out (size bytes, NUL-terminated); returns its length,
// quotes included. A text too long for out is cut.
size_t fr_json_escape(char *out, size_t size, const char *text);

// A function name for a text table, at most FR_SHORT_NAME bytes: a long
// C++ name loses its template arguments first ("std::map<...>::find(...)"),
// then its parameters, then its end ("..."). Short names are unchanged.
#define FR_SHORT_NAME 96
const char *fr_short_name(const char *name, char buf[FR_SHORT_NAME + 1]);

// The length of the valid UTF-8 sequence at p (1 for ASCII), or 0 when p
// starts none (a stray byte, an overlong form, a surrogate).
size_t fr_utf8_sequence(const unsigned char *p);

// "EBADF", or the number when it has no name.
const char *fr_errno_name(int64_t err, char buf[24]);

// A site event's fields as "lock=0x... error=EBUSY", into buf.
void fr_format_site_fields(const struct fr_site_info *site,
                           const struct fr_event *ev, char *buf, size_t size);

// What took the snapshot, from its header: "api", "exit", "signal SIGUSR2",
// "crash SIGSEGV on T3", "condition: lock wait 41.2ms > 20.0ms on T2 at
// pthread_mutex_lock in worker server.c:88".
void fr_format_trigger(const struct fr_snapshot *s, char *buf, size_t size);
// The kernel's or the sender's reason for a signal (si_code), "SEGV_MAPERR:
// address not mapped"; NULL when not known.
const char *fr_crash_code_name(int sig, int code);

#endif // FR_EVENTS_H
