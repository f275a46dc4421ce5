// SPDX-License-Identifier: Apache-2.0
// fr_reader.c: parsing and checking snapshot files.
//
// The whole file is read into memory; every offset is checked against its
// size before use, so no input can make the reader read out of bounds.
#include "fr_reader.h"
#include "fr_stats.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

uint32_t fr_crc32c(uint32_t crc, const void *data, uint64_t len);


static void fr_defect(struct fr_snapshot *s, const char *fmt, ...) {
  if (s->defects++)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->error, sizeof(s->error), fmt, ap);
  va_end(ap);
}

static void fr_note(struct fr_snapshot *s, const char *fmt, ...) {
  if (s->notes >= 4) {
    s->notes++;
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->note[s->notes++], sizeof(s->note[0]), fmt, ap);
  va_end(ap);
}

// The file is mapped, not read: nothing is copied, and its pages are the page
// cache's, which the kernel can drop, so reading a large snapshot does not
// need that much anonymous memory. Files that cannot be mapped are read.
static int fr_read_file(const char *path, struct fr_snapshot *s) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fr_defect(s, "cannot open: %s", strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    fr_defect(s, "not a regular file");
    close(fd);
    return -1;
  }
  s->size = (size_t)st.st_size;
  if (s->size) {
    void *map = mmap(NULL, s->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
      madvise(map, s->size, MADV_SEQUENTIAL);
      s->data = map;
      s->mapped = 1;
      close(fd);
      return 0;
    }
  }
  s->data = malloc(s->size ? s->size : 1);
  if (!s->data) {
    fr_defect(s, "out of memory reading %zu bytes", s->size);
    close(fd);
    return -1;
  }
  size_t got = 0;
  while (got < s->size) {
    ssize_t n = read(fd, s->data + got, s->size - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  s->size = got;
  return 0;
}

void fr_snapshot_release(const struct fr_snapshot *s, const void *from,
                         size_t len) {
  if (!s->mapped || !len)
    return;
  // The kernel maps up to 64 KiB around each fault ("fault-around"), pages of
  // chunks not read yet included: those go too (they fault back in when
  // read). Only whole pages inside the file are dropped.
  const size_t around = 64 * 1024;
  uintptr_t lo = (uintptr_t)s->data, hi = lo + s->size;
  uintptr_t start = (uintptr_t)from > lo + around ? (uintptr_t)from - around : lo;
  uintptr_t end = (uintptr_t)from + len + around < hi
                      ? (uintptr_t)from + len + around
                      : hi;
  start = (start + 4095) & ~(uintptr_t)4095;
  end &= ~(uintptr_t)4095;
  if (end > start) // pages of the file: dropped now, read again if touched
    madvise((void *)start, end - start, MADV_DONTNEED);
}

static int fr_site_cmp(const void *a, const void *b) {
  const struct fr_site_info *x = a, *y = b;
  return x->id < y->id ? -1 : x->id > y->id;
}

static char *fr_strndup(const uint8_t *p, size_t n) {
  char *c = malloc(n + 1);
  if (c) {
    memcpy(c, p, n);
    c[n] = 0;
  }
  return c;
}

static void fr_read_sites(struct fr_snapshot *s, const uint8_t *p,
                          uint64_t size, uint64_t offset) {
  uint32_t count;
  if (size < 4) {
    fr_defect(s, "site table at offset %llu is too short",
              (unsigned long long)offset);
    return;
  }
  memcpy(&count, p, 4);
  size_t record_size = s->hdr.version == 1 ? FR_SITE_RECORD_V1_SIZE
                                           : sizeof(struct fr_site_record);
  if (count > size / record_size) {
    fr_defect(s, "site table at offset %llu claims %u sites in %llu bytes",
              (unsigned long long)offset, count, (unsigned long long)size);
    return;
  }
  if (count) { // (realloc to 0 bytes would free the table)
    struct fr_site_info *grown = realloc(
        s->sites, ((size_t)s->site_count + count) * sizeof(*s->sites));
    if (!grown) {
      fr_defect(s, "out of memory for %u sites", count);
      return;
    }
    s->sites = grown;
  }
  uint64_t at = 4;
  for (uint32_t i = 0; i < count; i++) {
    struct fr_site_record r = {0};
    if (size - at < record_size) {
      fr_defect(s, "site table at offset %llu ends inside site %u",
                (unsigned long long)offset, i);
      return;
    }
    memcpy(&r, p + at, record_size);
    at += record_size;
    uint64_t names = (uint64_t)r.function_len + r.file_len + r.callee_len;
    if (size - at < names) {
      fr_defect(s, "site table at offset %llu ends inside site %u's names",
                (unsigned long long)offset, i);
      return;
    }
    struct fr_site_info *si = &s->sites[s->site_count++];
    si->id = r.id;
    si->kind = r.kind;
    si->flags = s->hdr.version >= 3 ? r.flags : 0;
    si->line = r.line;
    si->detail = r.detail;
    si->function = fr_strndup(p + at, r.function_len);
    si->file = fr_strndup(p + at + r.function_len, r.file_len);
    si->callee = fr_strndup(p + at + r.function_len + r.file_len, r.callee_len);
    at += names;
  }
  if (at != size)
    fr_defect(s, "site table at offset %llu has %llu stray bytes",
              (unsigned long long)offset, (unsigned long long)(size - at));
}



// Decodes the whole chunk once: a malformed event is a defect, and the
// count and time span of the events before it are kept for the commands.
static void fr_check_chunk(struct fr_snapshot *s, struct fr_chunk_view *c) {
  struct fr_cursor cur;
  struct fr_event ev;
  int r;
  fr_cursor_init(c, &cur);
  c->event_count = 0;
  c->first_ticks = UINT64_MAX;
  c->last_ticks = 0;
  memset(&c->dropped, 0, sizeof(c->dropped));
  c->unknown_events = 0;
  while ((r = fr_chunk_next(c, &cur, &ev)) == 1) {
    c->unknown_events += ev.unknown;
    if (!c->event_count++)
      c->first_ticks = ev.ticks;
    c->last_ticks = ev.ticks;
    if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_DROPPED) {
      c->dropped.reentrant += ev.field[0];
      c->dropped.no_space += ev.field[1];
    } else if (ev.event_class == FR_EV_EXT && ev.id == FR_EXT_LOST) {
      c->dropped.unknown += ev.arg;
    }
  }
  uint32_t off = cur.offset;
  if (r < 0)
    fr_defect(s,
              "chunk at offset %llu (thread T%u): malformed event at byte %u",
              (unsigned long long)c->offset, c->hdr.thread_index, off);
}

enum fr_open_result fr_snapshot_open(const char *path, struct fr_snapshot *s) {
  return fr_snapshot_open_ex(path, s, FR_OPEN_CHECK_EVENTS);
}

enum fr_open_result fr_snapshot_open_ex(const char *path, struct fr_snapshot *s,
                                        unsigned flags) {
  memset(s, 0, sizeof(*s));
  if (fr_read_file(path, s) != 0)
    return FR_OPEN_FAILED;
  if (s->size < FR_MAGIC_SIZE || memcmp(s->data, FR_MAGIC, FR_MAGIC_SIZE)) {
    fr_defect(s, "not an fr snapshot (bad magic)");
    return FR_OPEN_FAILED;
  }
  if (s->size < FR_FILE_HEADER_V1_SIZE) {
    fr_defect(s, "truncated inside the file header (%zu of %d bytes)",
              s->size, FR_FILE_HEADER_V1_SIZE);
    return FR_OPEN_FAILED;
  }
  // The header as written: fields a shorter (older) header lacks read as
  // zero; a longer (newer) one's extra fields are skipped.
  uint16_t header_size, version;
  memcpy(&version, s->data + offsetof(struct fr_file_header, version), 2);
  memcpy(&header_size, s->data + offsetof(struct fr_file_header, header_size),
         2);
  size_t min_header = version == 1   ? FR_FILE_HEADER_V1_SIZE
                      : version <= 4 ? FR_FILE_HEADER_V4_SIZE
                                     : FR_FILE_HEADER_V7_SIZE;
  uint16_t swapped = (uint16_t)(version >> 8 | version << 8);
  if (swapped >= FR_FORMAT_VERSION_MIN && swapped <= FR_FORMAT_VERSION) {
    fr_defect(s, "written on a machine of the other byte order (format "
                 "version %u byte-swapped): not supported",
              version >> 8);
    return FR_OPEN_FAILED;
  }
  if (version < FR_FORMAT_VERSION_MIN) {
    fr_defect(s, "format version %u is not supported (this frtool reads %u "
                 "to %u)",
              version, FR_FORMAT_VERSION_MIN, FR_FORMAT_VERSION);
    return FR_OPEN_FAILED;
  }
  if (version > FR_FORMAT_VERSION && header_size < FR_FILE_HEADER_V7_SIZE) {
    fr_defect(s, "format version %u is not supported (this frtool reads %u "
                 "to %u)",
              version, FR_FORMAT_VERSION_MIN, FR_FORMAT_VERSION);
    return FR_OPEN_FAILED;
  }
  if (header_size < min_header || header_size > s->size) {
    fr_defect(s, "bad header size %u", header_size);
    return FR_OPEN_FAILED;
  }
  memcpy(&s->hdr, s->data,
         header_size < sizeof(s->hdr) ? header_size : sizeof(s->hdr));
  if (header_size < sizeof(s->hdr))
    memset((char *)&s->hdr + header_size, 0, sizeof(s->hdr) - header_size);
  if (version >= 5 && s->hdr.byte_order != FR_BYTE_ORDER_MARK) {
    fr_defect(s, s->hdr.byte_order == __builtin_bswap32(FR_BYTE_ORDER_MARK)
                     ? "written on a machine of the other byte order: not "
                       "supported"
                     : "bad byte-order mark %#x",
              s->hdr.byte_order);
    return FR_OPEN_FAILED;
  }
  if (version > FR_FORMAT_VERSION) {
    // A newer writer: readable if it says a reader of this version reads it.
    if (!s->hdr.reader_version || s->hdr.reader_version > FR_FORMAT_VERSION) {
      fr_defect(s, "format version %u is not supported (this frtool reads "
                   "%u to %u; the file needs a reader of version %u)",
                version, FR_FORMAT_VERSION_MIN, FR_FORMAT_VERSION,
                s->hdr.reader_version);
      return FR_OPEN_FAILED;
    }
    fr_note(s, "written by a newer fr (format version %u): reading the "
               "parts this frtool knows",
            version);
  }
  if (s->hdr.tick_hz == 0) {
    fr_defect(s, "clock calibration is missing (tick rate 0)");
    return FR_OPEN_FAILED;
  }
  s->hdr.program[sizeof(s->hdr.program) - 1] = 0;
  s->hdr.crash_module[sizeof(s->hdr.crash_module) - 1] = 0;

  uint64_t off = s->hdr.header_size;
  uint32_t chunk_capacity = 0;
  while (off < s->size) {
    struct fr_section_header sec;
    if (s->size - off < sizeof(sec)) {
      fr_defect(s, "truncated: %llu stray bytes at offset %llu",
                (unsigned long long)(s->size - off), (unsigned long long)off);
      break;
    }
    memcpy(&sec, s->data + off, sizeof(sec));
    const uint8_t *payload = s->data + off + sizeof(sec);
    uint64_t avail = s->size - off - sizeof(sec);
    if (sec.size > avail) {
      fr_defect(s, "truncated: section at offset %llu needs %llu bytes, "
                   "%llu remain",
                (unsigned long long)off, (unsigned long long)sec.size,
                (unsigned long long)avail);
      break;
    }
    uint64_t here = off;
    off += sizeof(sec) + sec.size;
    uint32_t crc = fr_crc32c(0, payload, sec.size);
    if (!(flags & FR_OPEN_CHECK_EVENTS) && sec.type == FR_SEC_CHUNK)
      fr_snapshot_release(s, payload, sec.size);
    if (crc != sec.crc32c) {
      fr_defect(s, "corrupt: checksum mismatch in %s section at offset %llu",
                sec.type == FR_SEC_CHUNK   ? "chunk"
                : sec.type == FR_SEC_SITES ? "site"
                : sec.type == FR_SEC_END   ? "end"
                                           : "an unknown",
                (unsigned long long)here);
      if (sec.type < FR_SEC_SITES || sec.type > FR_SEC_END)
        break; // a damaged type: its size cannot be trusted either
      continue;
    }
    if (s->complete) {
      fr_defect(s, "data after the end record at offset %llu",
                (unsigned long long)here);
      break;
    }
    if (sec.type < FR_SEC_SITES || sec.type > FR_SEC_END) {
      // A newer writer's section: intact (its checksum matched), skipped.
      fr_note(s, "skipped a section of unknown type %u at offset %llu "
                 "(written by a newer fr?)",
              sec.type, (unsigned long long)here);
      continue;
    }
    if (sec.type == FR_SEC_SITES) {
      fr_read_sites(s, payload, sec.size, here);
    } else if (sec.type == FR_SEC_CHUNK) {
      struct fr_chunk_header ch;
      if (sec.size < sizeof(ch)) {
        fr_defect(s, "chunk at offset %llu is too short",
                  (unsigned long long)here);
        continue;
      }
      memcpy(&ch, payload, sizeof(ch));
      if (ch.event_bytes != sec.size - sizeof(ch)) {
        fr_defect(s, "chunk at offset %llu: %u event bytes in a %llu-byte "
                     "section",
                  (unsigned long long)here, ch.event_bytes,
                  (unsigned long long)sec.size);
        continue;
      }
      ch.thread_name[sizeof(ch.thread_name) - 1] = 0;
      if (s->chunk_count == chunk_capacity) {
        chunk_capacity = chunk_capacity ? 2 * chunk_capacity : 64;
        struct fr_chunk_view *grown =
            realloc(s->chunks, chunk_capacity * sizeof(*grown));
        if (!grown) {
          fr_defect(s, "out of memory");
          break;
        }
        s->chunks = grown;
      }
      struct fr_chunk_view *c = &s->chunks[s->chunk_count++];
      c->hdr = ch;
      c->events = payload + sizeof(ch);
      c->offset = here;
      if (flags & FR_OPEN_CHECK_EVENTS) {
        fr_check_chunk(s, c);
        fr_snapshot_release(s, payload, sec.size);
      }
    } else {
      if (sec.size != sizeof(s->end)) {
        fr_defect(s, "end record at offset %llu has size %llu",
                  (unsigned long long)here, (unsigned long long)sec.size);
        continue;
      }
      memcpy(&s->end, payload, sizeof(s->end));
      s->complete = 1;
    }
  }
  s->events_checked = (flags & FR_OPEN_CHECK_EVENTS) != 0;
  if (s->mapped) // commands then read thread by thread: no read-ahead
    madvise(s->data, s->size, MADV_RANDOM);
  uint64_t unknown = 0;
  for (uint32_t i = 0; i < s->chunk_count; i++)
    unknown += s->events_checked ? s->chunks[i].unknown_events : 0;
  if (unknown)
    fr_note(s, "skipped %llu events of kinds this frtool does not know "
               "(written by a newer fr?)",
            (unsigned long long)unknown);
  if (!s->complete && !s->defects)
    fr_defect(s, "truncated: no end record (the snapshot was not finished)");
  if (s->complete && s->end.chunk_count != s->chunk_count)
    fr_defect(s, "end record counts %u chunks, the file has %u intact",
              s->end.chunk_count, s->chunk_count);
  if (s->complete && s->end.site_count != s->site_count && !s->defects)
    fr_defect(s, "end record counts %u sites, the file has %u intact",
              s->end.site_count, s->site_count);
  fr_sort(s->sites, s->site_count, sizeof(*s->sites), fr_site_cmp);
  return s->defects ? FR_OPEN_DAMAGED : FR_OPEN_OK;
}

void fr_snapshot_close(struct fr_snapshot *s) {
  for (uint32_t i = 0; i < s->site_count; i++) {
    free((char *)s->sites[i].function);
    free((char *)s->sites[i].file);
    free((char *)s->sites[i].callee);
  }
  free(s->sites);
  free(s->chunks);
  if (s->mapped)
    munmap(s->data, s->size);
  else
    free(s->data);
  memset(s, 0, sizeof(*s));
}

static int fr_chunk_order(const void *x, const void *y) {
  const struct fr_chunk_view *a = *(const struct fr_chunk_view *const *)x;
  const struct fr_chunk_view *b = *(const struct fr_chunk_view *const *)y;
  if (a->hdr.thread_index != b->hdr.thread_index)
    return a->hdr.thread_index < b->hdr.thread_index ? -1 : 1;
  return a->hdr.seq < b->hdr.seq ? -1 : a->hdr.seq > b->hdr.seq;
}

const struct fr_chunk_view **fr_snapshot_chunks_in_order(const struct fr_snapshot *s) {
  const struct fr_chunk_view **order = malloc((s->chunk_count + 1) * sizeof(*order));
  if (!order)
    return NULL;
  for (uint32_t i = 0; i < s->chunk_count; i++)
    order[i] = &s->chunks[i];
  fr_sort(order, s->chunk_count, sizeof(*order), fr_chunk_order);
  return order;
}

const struct fr_site_info *fr_snapshot_site(const struct fr_snapshot *s,
                                            uint32_t id) {
  struct fr_site_info key = {.id = id};
  if (!s->site_count)
    return NULL;
  return bsearch(&key, s->sites, s->site_count, sizeof(key), fr_site_cmp);
}

uint32_t fr_snapshot_dense_ids(const struct fr_snapshot *s) {
  uint32_t max_id = s->site_count ? s->sites[s->site_count - 1].id : 0;
  return max_id <= 4 * (uint64_t)s->site_count + 4096 ? max_id + 1 : 0;
}

void fr_snapshot_window(const struct fr_snapshot *s, uint64_t *from,
                        uint64_t *to) {
  uint64_t first = UINT64_MAX, last = 0;
  for (uint32_t i = 0; i < s->chunk_count; i++) {
    struct fr_chunk_view c = s->chunks[i];
    if (!s->events_checked) { // decode it here, once
      struct fr_cursor cur;
      struct fr_event ev;
      fr_cursor_init(&c, &cur);
      c.event_count = 0;
      while (fr_chunk_next(&c, &cur, &ev) == 1) {
        if (!c.event_count++)
          c.first_ticks = ev.ticks;
        c.last_ticks = ev.ticks;
      }
      fr_snapshot_release(s, c.events, c.hdr.event_bytes);
    }
    if (c.event_count && c.first_ticks < first)
      first = c.first_ticks;
    if (c.event_count && c.last_ticks > last)
      last = c.last_ticks;
  }
  fr_window_from_events(s, first, last, from, to);
}

void fr_window_from_events(const struct fr_snapshot *s, uint64_t first,
                           uint64_t last, uint64_t *from, uint64_t *to) {
  if (first > last) // no events
    first = last = s->hdr.snapshot_ticks;
  if (s->hdr.version >= 4 && s->hdr.start_ticks <= first)
    first = s->hdr.start_ticks;
  if (s->hdr.snapshot_ticks > last)
    last = s->hdr.snapshot_ticks;
  *from = first;
  *to = last > first ? last : first;
}

struct fr_drops fr_snapshot_drops(const struct fr_snapshot *s,
                                  uint32_t thread) {
  struct fr_drops d = {0, 0, 0};
  for (uint32_t i = 0; i < s->chunk_count; i++) {
    const struct fr_chunk_view *c = &s->chunks[i];
    if (thread && c->hdr.thread_index != thread)
      continue;
    d.reentrant += c->dropped.reentrant;
    d.no_space += c->dropped.no_space;
    d.unknown += c->dropped.unknown;
  }
  return d;
}

uint64_t fr_drops_total(const struct fr_snapshot *s) {
  struct fr_drops d = fr_snapshot_drops(s, 0);
  return fr_drops_total_of(s, &d);
}

uint64_t fr_drops_total_of(const struct fr_snapshot *s,
                           const struct fr_drops *d) {
  // Before version 4 the end record counted drops the chunks reported too.
  uint64_t unreported = s->complete && s->hdr.version >= 4 ? s->end.lost_events : 0;
  if (s->complete && s->hdr.version < 4 && s->end.lost_events > d->unknown)
    unreported = s->end.lost_events - d->unknown;
  return fr_drops_sum(d) + unreported;
}

double fr_snapshot_ticks_to_ns(const struct fr_snapshot *s, uint64_t ticks) {
  double delta = (double)ticks - (double)s->hdr.start_ticks;
  return delta * 1e9 / (double)s->hdr.tick_hz;
}
