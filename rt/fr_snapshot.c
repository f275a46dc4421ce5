// SPDX-License-Identifier: Apache-2.0
// fr_snapshot.c: writing the current window as a snapshot file.
//
// Under fr_state.lock, only long enough to list chunks: the sealed ring in
// age order, then each live thread's current chunk with its committed length,
// and for each live thread without one (or with drops its chunk does not yet
// report) a short chunk made from its state: so every live thread is in the
// file, a blocked one with what it blocks in. Nothing is left out for its
// age: min_age acts when chunks are recycled (fr_pool.c), not here.
// Then, without the lock, each chunk is copied to a scratch buffer, checked
// against the generation it had when listed (a chunk recycled meanwhile is
// skipped and counted: it held the oldest events), checksummed and written.
// Writers never wait on a snapshot: they see the lock only when switching
// chunks, and then only for the listing.
//
// A crash dump runs in a signal handler, possibly on a thread that holds
// fr_state.lock or in the middle of another snapshot: it has its own output
// buffer, entry list and scratch chunk, tries the lock for a bounded time and
// lists without it if it must (chunks are never unmapped and every copy is
// checked against its generation, so a racy listing costs at most a chunk).
// Nothing on that path allocates, uses stdio or waits.
//
// Concurrency: one ordinary snapshot at a time (fr_recorder.c owns the
// exclusion, so the static output buffer here is safe) plus at most one crash
// dump. Copies of current chunks read bytes below a position the writer
// published with release, loaded with acquire.
#include "fr_internal.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

struct fr_emit {
  fr_write_fn write;
  void *ctx;
  int failed;
  uint32_t len;
  uint8_t buf[16384];
};

static struct fr_emit fr_emit_state, fr_crash_emit_state;

static void fr_emit_flush(struct fr_emit *e) {
  if (e->len && !e->failed && e->write(e->ctx, e->buf, e->len) != 0)
    e->failed = 1;
  e->len = 0;
}

static void fr_emit(struct fr_emit *e, const void *data, uint64_t len) {
  if (len > sizeof(e->buf) - e->len) {
    fr_emit_flush(e);
    if (len >= sizeof(e->buf)) {
      if (!e->failed && e->write(e->ctx, data, len) != 0)
        e->failed = 1;
      return;
    }
  }
  memcpy(e->buf + e->len, data, len);
  e->len += (uint32_t)len;
}

// The site table is produced twice, once to size and checksum it and once to
// write it, from the same list head so both passes see the same modules.
static uint64_t fr_sites_pass(struct fr_emit *e, const struct fr_module *head,
                              uint32_t *crc, uint32_t *count_out) {
  uint32_t count = 0;
  for (const struct fr_module *m = head; m; m = fr_sites_next(m))
    count += fr_sites_count(m);
  uint64_t size = sizeof(count);
  if (e)
    fr_emit(e, &count, sizeof(count));
  else
    *crc = fr_crc32c(*crc, &count, sizeof(count));
  for (const struct fr_module *m = head; m; m = fr_sites_next(m)) {
    for (uint32_t i = 0; i < fr_sites_count(m); i++) {
      struct fr_site_record rec;
      const char *function, *file, *callee;
      fr_sites_get(m, i, &rec, &function, &file, &callee);
      size += sizeof(rec) + rec.function_len + rec.file_len + rec.callee_len;
      if (e) {
        fr_emit(e, &rec, sizeof(rec));
        fr_emit(e, function, rec.function_len);
        fr_emit(e, file, rec.file_len);
        fr_emit(e, callee, rec.callee_len);
      } else {
        *crc = fr_crc32c(*crc, &rec, sizeof(rec));
        *crc = fr_crc32c(*crc, function, rec.function_len);
        *crc = fr_crc32c(*crc, file, rec.file_len);
        *crc = fr_crc32c(*crc, callee, rec.callee_len);
      }
    }
  }
  *count_out = count;
  return size;
}

static uint32_t fr_list_chunks(struct fr_pool *pool,
                               struct fr_snapshot_entry *entries) {
  uint32_t n = 0;
  for (uint32_t k = 0; k < pool->sealed_count && n < pool->base_chunks; k++) {
    struct fr_chunk *c = fr_pool_chunk(
        pool, pool->sealed[(pool->sealed_head + k) % pool->base_chunks]);
    if (c->epoch != fr_state.epoch)
      continue;
    struct fr_snapshot_entry *e = &entries[n++];
    e->chunk = c;
    e->gen = __atomic_load_n(&c->gen, __ATOMIC_ACQUIRE);
    e->live = 0;
    e->hdr = c->hdr;
  }
  for (struct fr_thread *th = fr_state.live; th; th = th->next) {
    struct fr_chunk *c = th->tls->chunk;
    if (!c || c->pool != pool || c->epoch != fr_state.epoch)
      continue;
    if (n == pool->base_chunks)
      break; // a racy crash listing: never past the array
    struct fr_snapshot_entry *e = &entries[n++];
    e->chunk = c;
    e->gen = __atomic_load_n(&c->gen, __ATOMIC_ACQUIRE);
    e->live = 1;
    e->hdr = c->hdr;
    uint8_t *pos = __atomic_load_n(&th->tls->pos, __ATOMIC_ACQUIRE);
    e->hdr.event_bytes = (uint32_t)(pos - c->data);
    e->hdr.last_ticks = __atomic_load_n(&th->tls->last_ticks, __ATOMIC_RELAXED);
  }
  return n;
}

// A short chunk for a live thread that this snapshot would otherwise show
// incompletely: one with no chunk (its events went for want of space, or
// it parked and its chunk was recycled since), or one whose current chunk
// does not yet report what it dropped. It holds the wait or call the thread
// parked in, if that is no longer in the window, and the thread's pending
// drop counts; its sequence number is the thread's next. 0: nothing to say.
static int fr_bare_entry_make(const struct fr_thread *th, int has_chunk,
                              uint64_t now, struct fr_bare_entry *b) {
  const struct fr_tls *t = th->tls;
  uint64_t reentrant = __atomic_load_n(&t->lost_reentrant, __ATOMIC_RELAXED);
  uint64_t no_space = __atomic_load_n(&t->lost_no_space, __ATOMIC_RELAXED);
  // The parked record, read as a seqlock (its thread may be rewriting it).
  struct fr_parked pk_copy;
  const struct fr_parked *pk = &pk_copy;
  uint32_t seq = __atomic_load_n(&th->parked.seq, __ATOMIC_ACQUIRE);
  FR_SEQLOCK_READ_BEGIN();
  memcpy(&pk_copy, &th->parked, sizeof(pk_copy));
  FR_SEQLOCK_READ_END();
  __atomic_thread_fence(__ATOMIC_ACQUIRE);
  int parked = !has_chunk && !(seq & 1) &&
               __atomic_load_n(&th->parked.seq, __ATOMIC_RELAXED) == seq &&
               pk->valid &&
               (!pk->chunk ||
                __atomic_load_n(&pk->chunk->gen, __ATOMIC_RELAXED) != pk->gen ||
                pk->chunk->epoch != fr_state.epoch);
  if (!parked && !reentrant && !no_space)
    return 0;
  memset(&b->hdr, 0, sizeof(b->hdr));
  b->hdr.thread_index = th->index;
  b->hdr.tid = th->tid;
  b->hdr.seq = th->chunks_written;
  b->hdr.base_ticks = parked && pk->ticks <= now ? pk->ticks : now;
  b->hdr.last_ticks = now;
  b->hdr.lost_before = reentrant + no_space;
  memcpy(b->hdr.thread_name, th->name, sizeof(th->name));
  uint8_t *p = b->events;
  if (parked) {
    p = fr_put_event(p, fr_event_tag(pk->site, FR_EV_SITE), 0);
    *p++ = fr_site_event_header(pk->kind, pk->nfields);
    // A lock object is a delta from the chunk's previous one: from 0 here.
    uint64_t a = fr_site_event_has_object(pk->kind) ? fr_zigzag((int64_t)pk->a)
                                                    : pk->a;
    if (pk->nfields > 0)
      p = fr_put_varint(p, a);
    if (pk->nfields > 1)
      p = fr_put_varint(p, pk->b);
  }
  if (reentrant || no_space) {
    p = fr_put_event(p, fr_event_tag(FR_EXT_DROPPED, FR_EV_EXT),
                     now - b->hdr.base_ticks);
    p = fr_put_varint(p, reentrant);
    p = fr_put_varint(p, no_space);
  }
  b->len = (uint32_t)(p - b->events);
  b->hdr.event_bytes = b->len;
  return 1;
}

static uint32_t fr_list_bare(struct fr_pool *pool, struct fr_bare_entry *bare,
                             uint64_t now) {
  uint32_t n = 0;
  uint32_t capacity = __atomic_load_n(&fr_state.bare_capacity, __ATOMIC_ACQUIRE);
  for (struct fr_thread *th = fr_state.live; th && n < capacity; th = th->next) {
    struct fr_chunk *c = th->tls->chunk;
    int has_chunk = c && c->pool == pool && c->epoch == fr_state.epoch;
    n += (uint32_t)fr_bare_entry_make(th, has_chunk, now, &bare[n]);
  }
  return n;
}

static void fr_program_name(char out[64]) {
  extern char *program_invocation_short_name;
  const char *name = program_invocation_short_name;
  size_t len = name ? strlen(name) : 0;
  if (len > 63)
    len = 63;
  memcpy(out, name, len);
  out[len] = 0;
}

static int fr_state_try_lock(void) {
  return pthread_mutex_trylock(&fr_state.lock) == 0;
}

// The crash path's locks: a bounded wait (each is held only briefly: a list,
// a chunk switch, a registration, a snapshot's site table), then none.
static int fr_crash_try(int (*try_lock)(void)) {
  for (int i = 0; i < 2000; i++) {
    if (try_lock())
      return 1;
    struct timespec pause = {0, 10000};
    nanosleep(&pause, NULL);
  }
  return 0;
}

int fr_snapshot_write(fr_write_fn write, void *ctx,
                      const struct fr_trigger_info *info, int crash) {
  struct fr_emit *e = crash ? &fr_crash_emit_state : &fr_emit_state;
  e->write = write;
  e->ctx = ctx;
  e->failed = 0;
  e->len = 0;

  const fr_config *cfg = fr_active_config();
  struct fr_clock_anchor now;
  uint64_t tick_hz = fr_clock_tick_hz(&fr_start_anchor, &now);

  // Asynchronous signals are held while a lock is (fr_state_lock): a
  // handler's siglongjmp must not leave one taken. A crash dump, in a
  // handler already, takes its locks as it can.
  int locked = 1;
  sigset_t held_signals;
  if (crash) {
    locked = fr_crash_try(fr_state_try_lock);
  } else {
    fr_signals_hold(&held_signals);
    pthread_mutex_lock(&fr_state.lock);
  }
  struct fr_pool *pool = __atomic_load_n(&fr_state.pool, __ATOMIC_ACQUIRE);
  struct fr_snapshot_entry *entries =
      pool ? (crash ? pool->crash_entries : pool->entries) : NULL;
  struct fr_bare_entry *bare = crash ? fr_state.crash_bare : fr_state.bare;
  uint8_t *scratch = pool ? (crash ? pool->crash_scratch : pool->scratch) : NULL;
  uint32_t n = pool ? fr_list_chunks(pool, entries) : 0;
  uint32_t nbare = pool && bare ? fr_list_bare(pool, bare, now.ticks) : 0;
  __atomic_fetch_add(&fr_state.bare_readers, 1, __ATOMIC_ACQ_REL);
  uint64_t lost = __atomic_load_n(&fr_state.lost_unreported, __ATOMIC_RELAXED);
  if (locked)
    pthread_mutex_unlock(&fr_state.lock);
  if (!crash)
    fr_signals_release(&held_signals);

  // The window is what the file holds: from its oldest chunk's start.
  uint64_t window_start = now.ticks;
  for (uint32_t i = 0; i < n; i++)
    if (entries[i].hdr.base_ticks < window_start)
      window_start = entries[i].hdr.base_ticks;
  for (uint32_t i = 0; i < nbare; i++)
    if (bare[i].hdr.base_ticks < window_start)
      window_start = bare[i].hdr.base_ticks;

  struct fr_file_header h;
  memset(&h, 0, sizeof(h));
  memcpy(h.magic, FR_MAGIC, FR_MAGIC_SIZE);
  h.version = FR_FORMAT_VERSION;
  h.header_size = sizeof(h);
  h.byte_order = FR_BYTE_ORDER_MARK;
  // What versions 6 and 7 added (FR_EXT_RESUMED, FR_EXT_REARMED) is sized:
  // a version 5 reader skips it and reads the rest right.
  h.reader_version = 5;
  h.pid = (uint32_t)fr_program_pid();
  h.tick_hz = tick_hz;
  h.anchor_ticks = fr_start_anchor.ticks;
  h.anchor_realtime_ns = fr_start_anchor.realtime_ns;
  h.anchor_monotonic_ns = fr_start_anchor.monotonic_ns;
  h.start_ticks = window_start;
  h.snapshot_ticks = now.ticks;
  h.min_age_ns = cfg ? cfg->min_age_ns : 0;
  h.max_bytes = cfg ? cfg->max_bytes : 0;
  h.chunk_size = pool ? pool->chunk_size : 0;
  h.trigger = info->trigger;
  h.trigger_detail = info->detail;
  h.trigger_thread = info->thread;
  h.trigger_site = info->site;
  h.trigger_ns = info->ns;
  h.trigger_threshold_ns = info->threshold_ns;
  if (info->fault) {
    h.crash_flags = info->fault->flags;
    h.crash_code = info->fault->code;
    h.crash_addr = info->fault->addr;
    h.crash_pc = info->fault->pc;
    h.crash_module_pc = info->fault->module_pc;
    memcpy(h.crash_module, info->fault->module, sizeof(h.crash_module));
  }
  h.budget_ppm = cfg && cfg->budget_percent > 0
                     ? (uint32_t)(cfg->budget_percent * 1e4 + 0.5)
                     : 0;
  fr_program_name(h.program);
  fr_emit(e, &h, sizeof(h));

  // The two passes must see the same flags: a site muted between them would
  // make the checksum wrong. A crash waits for the registry only briefly.
  int sites_locked = 1;
  if (crash) {
    sites_locked = fr_crash_try(fr_sites_try_lock);
  } else {
    fr_signals_hold(&held_signals);
    fr_sites_lock();
  }
  const struct fr_module *head = fr_sites_first();
  struct fr_section_header sec = {FR_SEC_SITES, 0, 0};
  uint32_t site_count;
  sec.size = fr_sites_pass(NULL, head, &sec.crc32c, &site_count);
  fr_emit(e, &sec, sizeof(sec));
  fr_sites_pass(e, head, &sec.crc32c, &site_count);
  if (sites_locked)
    fr_sites_unlock();
  if (!crash)
    fr_signals_release(&held_signals);

  // Every chunk listed goes in, however old: min_age bounds what recycling
  // keeps, it never filters what a thread is doing now (a thread blocked
  // longer than min_age is the one the snapshot is for).
  struct fr_end_record end = {0, site_count, 0, lost, 0};
  for (uint32_t i = 0; i < n && !e->failed; i++) {
    struct fr_snapshot_entry *s = &entries[i];
    if (s->live) // its name now, read outside the lock writers may need
      fr_read_thread_name(s->hdr.tid, s->hdr.thread_name);
    if (s->hdr.event_bytes == 0 ||
        s->hdr.event_bytes > pool->chunk_size - sizeof(struct fr_chunk))
      continue;
    FR_SEQLOCK_READ_BEGIN();
    memcpy(scratch, s->chunk->data, s->hdr.event_bytes);
    FR_SEQLOCK_READ_END();
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&s->chunk->gen, __ATOMIC_RELAXED) != s->gen ||
        (s->gen & 1)) {
      end.chunks_overwritten++;
      continue;
    }
    struct fr_section_header cs = {FR_SEC_CHUNK, 0,
                                   sizeof(s->hdr) + s->hdr.event_bytes};
    cs.crc32c = fr_crc32c(0, &s->hdr, sizeof(s->hdr));
    cs.crc32c = fr_crc32c(cs.crc32c, scratch, s->hdr.event_bytes);
    fr_emit(e, &cs, sizeof(cs));
    fr_emit(e, &s->hdr, sizeof(s->hdr));
    fr_emit(e, scratch, s->hdr.event_bytes);
    end.chunk_count++;
    end.event_bytes += s->hdr.event_bytes;
  }
  for (uint32_t i = 0; i < nbare && !e->failed; i++) {
    struct fr_bare_entry *b = &bare[i];
    if (b->len > FR_BARE_EVENT_BYTES) // a crash's listing raced a growth
      continue;
    fr_read_thread_name(b->hdr.tid, b->hdr.thread_name);
    struct fr_section_header cs = {FR_SEC_CHUNK, 0, sizeof(b->hdr) + b->len};
    cs.crc32c = fr_crc32c(0, &b->hdr, sizeof(b->hdr));
    cs.crc32c = fr_crc32c(cs.crc32c, b->events, b->len);
    fr_emit(e, &cs, sizeof(cs));
    fr_emit(e, &b->hdr, sizeof(b->hdr));
    fr_emit(e, b->events, b->len);
    end.chunk_count++;
    end.event_bytes += b->len;
  }
  __atomic_fetch_sub(&fr_state.bare_readers, 1, __ATOMIC_ACQ_REL);
  struct fr_section_header es = {FR_SEC_END, fr_crc32c(0, &end, sizeof(end)),
                                 sizeof(end)};
  fr_emit(e, &es, sizeof(es));
  fr_emit(e, &end, sizeof(end));
  fr_emit_flush(e);
  return e->failed ? FR_ERR_IO : FR_OK;
}
