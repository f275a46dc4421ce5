// SPDX-License-Identifier: Apache-2.0
// fr_stats.h: what frtool's analyses keep per function, lock, site or fd: a
// distribution of durations (count, total, max and quantiles), and a map
// from 64-bit keys to record indices.
//
// A distribution keeps its first FR_DIST_EXACT samples, so quantiles of small
// traces are exact (and tests can check them by hand); past that it keeps a
// log-linear histogram (32 steps per power of two, within 3.2%), so memory
// stays bounded whatever the size of the snapshot.
#ifndef FR_STATS_H
#define FR_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define FR_DIST_EXACT 1024

struct fr_dist {
  uint64_t count, total, max;
  uint64_t *samples;  // the first FR_DIST_EXACT, while count <= that
  uint32_t *histogram; // once count > FR_DIST_EXACT
};

void fr_dist_add(struct fr_dist *d, uint64_t value);
// The q-quantile (0 < q <= 1) by the nearest-rank method; 0 when empty.
uint64_t fr_dist_quantile(struct fr_dist *d, double q); // may reorder samples
void fr_dist_free(struct fr_dist *d);

// Open addressing, linear probing; keys are any 64-bit values.
struct fr_map {
  uint64_t *keys;
  uint32_t *values;
  uint8_t *used;
  uint32_t capacity, count;
};

// The value slot for key, created (set to UINT32_MAX) when absent. NULL when
// out of memory.
uint32_t *fr_map_slot(struct fr_map *m, uint64_t key);
void fr_map_free(struct fr_map *m);

// How many frames (or held locks, open regions) of each key a replay has
// open: an end that matches none is then found in O(1), not by searching a
// stack that hostile input can make a million deep for each of a million
// unmatched ends.
static inline uint32_t fr_open_count(struct fr_map *m, uint64_t key) {
  uint32_t *n = m->count ? fr_map_slot(m, key) : NULL;
  return n && *n != UINT32_MAX ? *n : 0;
}
static inline void fr_open_add(struct fr_map *m, uint64_t key, int delta) {
  uint32_t *n = fr_map_slot(m, key);
  if (!n)
    return;
  if (*n == UINT32_MAX)
    *n = 0;
  if (delta > 0 || *n)
    *n += (uint32_t)delta;
}

// The same for keys that are mostly below a bound known beforehand (site
// ids, dense from 1): an array for those, a map for the rest. A replay
// counts at every begin and end, and the array is several times faster.
struct fr_counts {
  uint32_t *dense;
  uint64_t dense_keys; // keys below this are in dense
  struct fr_map sparse;
};
// 0, or -1 when out of memory (then every key goes to the map).
int fr_counts_init(struct fr_counts *c, uint64_t dense_keys);
void fr_counts_free(struct fr_counts *c);
static inline uint32_t fr_counts_get(struct fr_counts *c, uint64_t key) {
  return key < c->dense_keys ? c->dense[key] : fr_open_count(&c->sparse, key);
}
static inline void fr_counts_add(struct fr_counts *c, uint64_t key, int delta) {
  if (key >= c->dense_keys)
    fr_open_add(&c->sparse, key, delta);
  else if (delta > 0 || c->dense[key])
    c->dense[key] += (uint32_t)delta;
}

// qsort, which must not be given a NULL array even to sort nothing (C
// says so, and UBSan holds us to it).
static inline void fr_sort(void *base, size_t n, size_t size,
                           int (*cmp)(const void *, const void *)) {
  if (n > 1)
    qsort(base, n, size, cmp);
}

// Grows *array (of *capacity elements of size bytes) to hold need; 0 on
// success.
int fr_grow(void **array, uint32_t *capacity, uint32_t need, size_t size);

#endif // FR_STATS_H
