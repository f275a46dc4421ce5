// SPDX-License-Identifier: Apache-2.0
// fr_pool.c: the chunk pool: all the memory the recorder keeps events in.
//
// max_bytes is cut into equal chunks (4 to 64 KiB, at least 16 of them). A
// chunk is free, current (one thread writes it), or sealed (full, or its thread
// exited). Sealed chunks form a FIFO ring; a thread that fills its chunk seals
// it and takes, in this order: the oldest sealed chunk if it is older than
// min_age, a free chunk, the oldest sealed chunk anyway (max_bytes wins over
// min_age), or, only when every chunk is some live thread's current chunk, an
// overflow chunk mapped for it (one per thread beyond the pool, at most
// FR_MAX_OVERFLOW_CHUNKS). So memory stays at max_bytes plus at most one
// chunk per live thread beyond base_chunks, whatever the event rate.
//
//   free_stack: [c7 c6 c5]      sealed ring: head -> [c2 c0 c4 ...]  (oldest first)
//   threads:    T1 -> c1, T2 -> c3 (current chunks, not in either list)
//
// Concurrency: every function here runs with fr_state.lock held. Recycling a
// sealed chunk bumps its generation to odd, resets it, and bumps it to even,
// with a release fence before the new owner's writes, so a snapshot that
// copied the chunk without the lock can tell (fr_snapshot.c).
#include "fr_internal.h"

#include <string.h>
#include <sys/mman.h>

static uint32_t fr_chunk_size_for(uint64_t max_bytes) {
  uint64_t want = max_bytes / 64;
  uint32_t size = 4096;
  while (size < 65536 && (uint64_t)size * 2 <= want)
    size *= 2;
  return size;
}

struct fr_pool *fr_pool_create(uint64_t max_bytes) {
  uint32_t chunk_size = fr_chunk_size_for(max_bytes);
  uint32_t base_chunks = (uint32_t)(max_bytes / chunk_size);
  uint32_t capacity = base_chunks + FR_MAX_OVERFLOW_CHUNKS;
  // One mapping for the bookkeeping (untouched pages cost nothing), one for
  // the chunks, scratch chunks for snapshots: one for ordinary snapshots, one
  // for a crash dump, which may interrupt an ordinary one.
  uint64_t book = sizeof(struct fr_pool) +
                  (uint64_t)capacity * (sizeof(struct fr_chunk *) +
                                        2 * sizeof(uint32_t) +
                                        2 * sizeof(struct fr_snapshot_entry));
  book = (book + 4095) & ~(uint64_t)4095;
  uint8_t *mem = fr_map(book);
  uint8_t *chunks = fr_map((uint64_t)base_chunks * chunk_size);
  uint8_t *scratch = fr_map(2 * (uint64_t)chunk_size);
  if (!mem || !chunks || !scratch)
    return NULL; // out of address space: what was mapped stays, unused
  struct fr_pool *pool = (struct fr_pool *)mem;
  uint8_t *cursor = mem + sizeof(*pool);
  pool->entries = (struct fr_snapshot_entry *)cursor;
  cursor += (uint64_t)capacity * sizeof(struct fr_snapshot_entry);
  pool->crash_entries = (struct fr_snapshot_entry *)cursor;
  cursor += (uint64_t)capacity * sizeof(struct fr_snapshot_entry);
  pool->chunks = (struct fr_chunk **)cursor;
  cursor += (uint64_t)capacity * sizeof(struct fr_chunk *);
  pool->free_stack = (uint32_t *)cursor;
  cursor += (uint64_t)capacity * sizeof(uint32_t);
  pool->sealed = (uint32_t *)cursor;

  pool->chunk_size = chunk_size;
  pool->base_chunks = base_chunks;
  pool->capacity = capacity;
  pool->total = base_chunks;
  pool->base = chunks;
  pool->scratch = scratch;
  pool->crash_scratch = scratch + chunk_size;
  for (uint32_t i = 0; i < base_chunks; i++)
    pool->chunks[i] = (struct fr_chunk *)(chunks + (uint64_t)i * chunk_size);
  fr_pool_reset(pool);
  return pool;
}

// Every chunk that no thread holds becomes free. Chunks threads still hold
// (from an earlier start) are reset by their owners at their next slow path.
void fr_pool_reset(struct fr_pool *pool) {
  pool->free_count = 0;
  pool->sealed_head = 0;
  pool->sealed_count = 0;
  // A chunk is held iff a live thread's fr_tls.chunk points at it: mark those
  // through the index field, then rebuild indices and the free stack.
  for (uint32_t i = 0; i < pool->total; i++)
    pool->chunks[i]->index = UINT32_MAX; // "not held" until proven otherwise
  for (struct fr_thread *th = fr_state.live; th; th = th->next) {
    struct fr_chunk *c = th->tls->chunk;
    if (c && c->pool == pool)
      c->index = UINT32_MAX - 1; // held
  }
  for (uint32_t i = pool->total; i-- > 0;) {
    struct fr_chunk *c = pool->chunks[i];
    int is_held = c->index == UINT32_MAX - 1;
    c->index = i;
    c->pool = pool;
    if (!is_held)
      pool->free_stack[pool->free_count++] = i;
  }
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
  pool->sealed_head = (pool->sealed_head + 1) % pool->capacity;
  pool->sealed_count--;
  return pool->chunks[index];
}

struct fr_chunk *fr_pool_take(struct fr_pool *pool, uint64_t now) {
  struct fr_chunk *c = NULL;
  if (pool->sealed_count) {
    struct fr_chunk *oldest = pool->chunks[pool->sealed[pool->sealed_head]];
    if (oldest->hdr.last_ticks + fr_state.min_age_ticks < now &&
        fr_state.min_age_ticks != UINT64_MAX)
      c = fr_pool_pop_sealed(pool);
  }
  if (!c && pool->free_count)
    c = pool->chunks[pool->free_stack[--pool->free_count]];
  if (!c && pool->sealed_count)
    c = fr_pool_pop_sealed(pool);
  if (!c && pool->total < pool->capacity) {
    c = fr_map(pool->chunk_size);
    if (!c)
      return NULL;
    c->index = pool->total;
    c->pool = pool;
    pool->chunks[pool->total++] = c;
  }
  if (!c)
    return NULL;
  __atomic_store_n(&c->gen, c->gen + 1, __ATOMIC_RELAXED); // odd: resetting
  __atomic_thread_fence(__ATOMIC_RELEASE);
  memset(&c->hdr, 0, sizeof(c->hdr));
  __atomic_store_n(&c->gen, c->gen + 1, __ATOMIC_RELEASE);
  __atomic_thread_fence(__ATOMIC_RELEASE); // before the owner's event stores
  return c;
}

void fr_pool_seal(struct fr_pool *pool, struct fr_chunk *chunk) {
  uint32_t slot = (pool->sealed_head + pool->sealed_count) % pool->capacity;
  pool->sealed[slot] = chunk->index;
  pool->sealed_count++;
}
