// SPDX-License-Identifier: Apache-2.0
// fr_pool.c: the chunk pool: all the memory the recorder keeps events in.
//
// max_bytes is cut into equal chunks (4 to 64 KiB, about 256 of them), and
// that is all there is: the pool never grows, whatever the thread count. A
// chunk is unused (never handed out: its pages were never touched), free,
// held (one live thread's current chunk) or sealed (full, given back by a
// thread that parked at a blocking call, or its thread exited). Sealed
// chunks form a FIFO ring. A thread that needs a chunk takes, in this order:
// the oldest sealed chunk if it is older than min_age, a free chunk, an
// unused one, or the oldest sealed chunk anyway (max_bytes wins over
// min_age). When every chunk is held, there is none: the thread drops its
// events (fr_thread.c backs it off and counts them) and the pool is under
// pressure until threads give chunks back.
//
//   unused:     [c9 .. c15]          (index >= high_water: never touched)
//   free_stack: [c7 c6 c5]           sealed ring: head -> [c2 c0 c4 ...]
//   threads:    T1 -> c1, T2 -> c3   (held chunks, in neither list)
//
// Start-up touches one bookkeeping page, not a page per chunk: a program that
// records little keeps little resident. Unused chunks are faulted in ahead of
// use, FR_POPULATE_BYTES at a time, with one madvise(MADV_POPULATE_WRITE):
// on a VM a page fault can cost as much as recording a thousand events (11.6
// us a 4 KiB page faulted on touch here, 6.0 us populated ahead;
// bench/page-faults.c, bench/RESULTS.md "Faulting the window in"), and a
// hook that touched each page of its chunk first paid that inside the
// program, with the pool's lock held for the chunk's first page.
//
// Concurrency: every function here runs with fr_state.lock held. Recycling a
// sealed chunk bumps its generation to odd, resets it, and bumps it to even,
// with a release fence before the new owner's writes, so a snapshot that
// copied the chunk without the lock can tell (fr_snapshot.c).
#include "fr_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14; older kernels refuse it (EINVAL)
#endif
#define FR_POPULATE_BYTES (256u * 1024)

static uint32_t fr_chunk_size_for(uint64_t max_bytes) {
  uint64_t want = max_bytes / 256;
  uint32_t size = 4096;
  while (size < 65536 && (uint64_t)size * 2 <= want)
    size *= 2;
  return size;
}

struct fr_pool *fr_pool_create(uint64_t max_bytes) {
  uint32_t chunk_size = fr_chunk_size_for(max_bytes);
  uint64_t chunks = max_bytes / chunk_size;
  if (chunks > UINT32_MAX / 2)
    return NULL; // fr_new refuses such sizes first
  uint32_t base_chunks = (uint32_t)chunks;
  // One mapping for the bookkeeping (untouched pages cost nothing), one for
  // the chunks, scratch chunks for snapshots: one for ordinary snapshots, one
  // for a crash dump, which may interrupt an ordinary one.
  uint64_t book = sizeof(struct fr_pool) +
                  (uint64_t)base_chunks * (2 * sizeof(uint32_t) +
                                           2 * sizeof(struct fr_snapshot_entry));
  book = (book + 4095) & ~(uint64_t)4095;
  uint8_t *mem = fr_map(book);
  if (!mem)
    return NULL;
  // Chunks are first handed out in index order: none past high_water was
  // ever touched.
  uint8_t *base = fr_map_prefix((uint64_t)base_chunks * chunk_size,
                                &((struct fr_pool *)mem)->populated,
                                chunk_size);
  uint8_t *scratch = fr_map(2 * (uint64_t)chunk_size);
  if (!base || !scratch)
    return NULL; // out of address space: what was mapped stays, unused
  struct fr_pool *pool = (struct fr_pool *)mem;
  uint8_t *cursor = mem + sizeof(*pool);
  pool->entries = (struct fr_snapshot_entry *)cursor;
  cursor += (uint64_t)base_chunks * sizeof(struct fr_snapshot_entry);
  pool->crash_entries = (struct fr_snapshot_entry *)cursor;
  cursor += (uint64_t)base_chunks * sizeof(struct fr_snapshot_entry);
  pool->free_stack = (uint32_t *)cursor;
  cursor += (uint64_t)base_chunks * sizeof(uint32_t);
  pool->sealed = (uint32_t *)cursor;

  pool->chunk_size = chunk_size;
  pool->base_chunks = base_chunks;
  pool->high_water = 0;
  pool->populated = 0;
  pool->base = base;
  pool->scratch = scratch;
  pool->crash_scratch = scratch + chunk_size;
  return pool;
}

// Every chunk that no live thread holds becomes free. Chunks threads still
// hold (from an earlier start) are reset by their owners at their next slow
// path. Only chunks handed out before are looked at.
void fr_pool_reset(struct fr_pool *pool) {
  pool->free_count = 0;
  pool->sealed_head = 0;
  pool->sealed_count = 0;
  for (uint32_t i = 0; i < pool->high_water; i++)
    fr_pool_chunk(pool, i)->state = FR_CHUNK_FREE;
  for (struct fr_thread *th = fr_state.live; th; th = th->next) {
    struct fr_chunk *c = th->tls->chunk;
    if (c && c->pool == pool)
      c->state = FR_CHUNK_HELD;
  }
  for (uint32_t i = pool->high_water; i-- > 0;)
    if (fr_pool_chunk(pool, i)->state == FR_CHUNK_FREE)
      pool->free_stack[pool->free_count++] = i;
  fr_pool_check(pool);
}

// A pool a new configuration replaced: give its pages back to the kernel. The
// mapping stays, since a thread may still hold one of its chunks and write one
// last event before its slow path notices.
void fr_pool_retire(struct fr_pool *pool) {
  madvise(pool->base, (uint64_t)pool->base_chunks * pool->chunk_size,
          MADV_DONTNEED);
}

static struct fr_chunk *fr_pool_pop_sealed(struct fr_pool *pool) {
  uint32_t index = pool->sealed[pool->sealed_head];
  pool->sealed_head = (pool->sealed_head + 1) % pool->base_chunks;
  pool->sealed_count--;
  return fr_pool_chunk(pool, index);
}

uint32_t fr_pool_available(const struct fr_pool *pool) {
  return pool->free_count + pool->sealed_count +
         (pool->base_chunks - pool->high_water);
}

// Faults in the unused chunks from first on, FR_POPULATE_BYTES' worth, unless
// that was done already. Keeps errno: a hook may run between a failed call
// and its caller's look at errno. A kernel without MADV_POPULATE_WRITE is
// asked once; the pages are then faulted one by one, as they are touched.
static void fr_pool_populate(struct fr_pool *pool, uint32_t first) {
  static int unsupported;
  if (first < pool->populated)
    return;
  uint32_t end = first + 1;
  if (!__atomic_load_n(&unsupported, __ATOMIC_RELAXED)) {
    uint32_t batch = FR_POPULATE_BYTES / pool->chunk_size;
    end = pool->base_chunks - first <= batch ? pool->base_chunks : first + batch;
    int saved = errno;
    if (madvise(pool->base + (uint64_t)first * pool->chunk_size,
                (uint64_t)(end - first) * pool->chunk_size,
                MADV_POPULATE_WRITE) != 0 &&
        errno == EINVAL)
      __atomic_store_n(&unsupported, 1, __ATOMIC_RELAXED);
    errno = saved;
  }
  // Stored atomically: fr_memory_bytes reads it unlocked.
  __atomic_store_n(&pool->populated, end, __ATOMIC_RELAXED);
}

struct fr_chunk *fr_pool_take(struct fr_pool *pool, uint64_t now) {
  struct fr_chunk *c = NULL;
  if (pool->sealed_count) {
    struct fr_chunk *oldest = fr_pool_chunk(pool, pool->sealed[pool->sealed_head]);
    if (fr_state.min_age_ticks != UINT64_MAX &&
        oldest->hdr.last_ticks + fr_state.min_age_ticks < now)
      c = fr_pool_pop_sealed(pool);
  }
  if (!c && pool->free_count)
    c = fr_pool_chunk(pool, pool->free_stack[--pool->free_count]);
  if (!c && pool->high_water < pool->base_chunks) {
    fr_pool_populate(pool, pool->high_water);
    c = fr_pool_chunk(pool, pool->high_water);
    c->index = pool->high_water;
    // Stored atomically: a snapshot signal's handler reads it unlocked.
    __atomic_store_n(&pool->high_water, c->index + 1, __ATOMIC_RELAXED);
    c->pool = pool;
  }
  if (!c && pool->sealed_count)
    c = fr_pool_pop_sealed(pool);
  if (!c)
    return NULL;
  c->state = FR_CHUNK_HELD;
  __atomic_store_n(&c->gen, c->gen + 1, __ATOMIC_RELAXED); // odd: resetting
  __atomic_thread_fence(__ATOMIC_RELEASE);
  memset(&c->hdr, 0, sizeof(c->hdr));
  __atomic_store_n(&c->gen, c->gen + 1, __ATOMIC_RELEASE);
  __atomic_thread_fence(__ATOMIC_RELEASE); // before the owner's event stores
  return c;
}

void fr_pool_seal(struct fr_pool *pool, struct fr_chunk *chunk) {
  uint32_t slot = (pool->sealed_head + pool->sealed_count) % pool->base_chunks;
  pool->sealed[slot] = chunk->index;
  pool->sealed_count++;
  chunk->state = FR_CHUNK_SEALED;
}

void fr_pool_free(struct fr_pool *pool, struct fr_chunk *chunk) {
  pool->free_stack[pool->free_count++] = chunk->index;
  chunk->state = FR_CHUNK_FREE;
}

#ifdef FR_DEBUG
static void fr_pool_fail(const char *what, uint64_t a, uint64_t b) {
  char line[160];
  int n = snprintf(line, sizeof(line),
                   "fr: pool invariant broken: %s (%llu, %llu)\n", what,
                   (unsigned long long)a, (unsigned long long)b);
  if (n > 0)
    (void)!write(2, line, (size_t)n);
  abort();
}

void fr_pool_check(const struct fr_pool *pool) {
  uint32_t count[4] = {0, 0, 0, 0};
  for (uint32_t i = 0; i < pool->high_water; i++) {
    const struct fr_chunk *c = fr_pool_chunk(pool, i);
    if (c->index != i || c->pool != pool)
      fr_pool_fail("chunk index or pool", i, c->index);
    if (c->state < FR_CHUNK_FREE || c->state > FR_CHUNK_HELD)
      fr_pool_fail("handed-out chunk without a state", i, c->state);
    count[c->state]++;
  }
  if (count[FR_CHUNK_FREE] != pool->free_count)
    fr_pool_fail("free chunks against the free stack", count[FR_CHUNK_FREE],
                 pool->free_count);
  if (count[FR_CHUNK_SEALED] != pool->sealed_count)
    fr_pool_fail("sealed chunks against the ring", count[FR_CHUNK_SEALED],
                 pool->sealed_count);
  for (uint32_t k = 0; k < pool->free_count; k++)
    if (fr_pool_chunk(pool, pool->free_stack[k])->state != FR_CHUNK_FREE)
      fr_pool_fail("a non-free chunk on the free stack", pool->free_stack[k], k);
  for (uint32_t k = 0; k < pool->sealed_count; k++) {
    uint32_t i = pool->sealed[(pool->sealed_head + k) % pool->base_chunks];
    if (fr_pool_chunk(pool, i)->state != FR_CHUNK_SEALED)
      fr_pool_fail("an unsealed chunk in the sealed ring", i, k);
  }
  uint32_t held = 0;
  for (const struct fr_thread *th = fr_state.live; th; th = th->next) {
    const struct fr_chunk *c = th->tls->chunk;
    if (!c || c->pool != pool)
      continue;
    if (c->state != FR_CHUNK_HELD)
      fr_pool_fail("a thread's chunk not held", c->index, c->state);
    held++;
  }
  if (held != count[FR_CHUNK_HELD])
    fr_pool_fail("held chunks against live threads' chunks",
                 count[FR_CHUNK_HELD], held);
  if (count[FR_CHUNK_FREE] + count[FR_CHUNK_SEALED] + held != pool->high_water)
    fr_pool_fail("free + sealed + held against chunks handed out",
                 count[FR_CHUNK_FREE] + count[FR_CHUNK_SEALED] + held,
                 pool->high_water);
}
#else
void fr_pool_check(const struct fr_pool *pool) { (void)pool; }
#endif
