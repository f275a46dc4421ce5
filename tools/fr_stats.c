// SPDX-License-Identifier: Apache-2.0
// fr_stats.c: distributions and maps for frtool's analyses (see fr_stats.h).
#include "fr_stats.h"

#include <stdlib.h>
#include <string.h>

#define FR_HIST_SUB 32 // steps per power of two
#define FR_HIST_BUCKETS (FR_HIST_SUB + (64 - 5) * FR_HIST_SUB)

static uint32_t hist_bucket(uint64_t v) {
  if (v < FR_HIST_SUB)
    return (uint32_t)v;
  unsigned e = 63u - (unsigned)__builtin_clzll(v); // >= 5
  uint32_t mantissa = (uint32_t)(v >> (e - 5)) & (FR_HIST_SUB - 1);
  return FR_HIST_SUB + (e - 5) * FR_HIST_SUB + mantissa;
}

// The largest value that falls in bucket b.
static uint64_t hist_upper(uint32_t b) {
  if (b < FR_HIST_SUB)
    return b;
  unsigned e = (b - FR_HIST_SUB) / FR_HIST_SUB + 5;
  uint64_t mantissa = (b - FR_HIST_SUB) % FR_HIST_SUB + FR_HIST_SUB;
  uint64_t low = mantissa << (e - 5);
  return low + ((uint64_t)1 << (e - 5)) - 1;
}

void fr_dist_add(struct fr_dist *d, uint64_t v) {
  if (d->count < FR_DIST_EXACT) {
    if (!d->samples)
      d->samples = malloc(FR_DIST_EXACT * sizeof(*d->samples));
    if (d->samples)
      d->samples[d->count] = v;
  } else {
    if (!d->histogram) {
      d->histogram = calloc(FR_HIST_BUCKETS, sizeof(*d->histogram));
      if (d->histogram && d->samples)
        for (uint32_t i = 0; i < FR_DIST_EXACT; i++)
          d->histogram[hist_bucket(d->samples[i])]++;
    }
    if (d->histogram)
      d->histogram[hist_bucket(v)]++;
  }
  d->count++;
  d->total += v;
  if (v > d->max)
    d->max = v;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

uint64_t fr_dist_quantile(struct fr_dist *d, double q) {
  if (!d->count)
    return 0;
  uint64_t rank = (uint64_t)(q * (double)d->count + 0.999999999);
  if (rank < 1)
    rank = 1;
  if (rank > d->count)
    rank = d->count;
  if (d->count <= FR_DIST_EXACT) {
    if (!d->samples)
      return d->max;
    // Sorting in place is fine: the order of samples carries nothing.
    fr_sort(d->samples, d->count, sizeof(*d->samples), cmp_u64);
    return d->samples[rank - 1];
  }
  if (!d->histogram)
    return d->max;
  uint64_t seen = 0;
  for (uint32_t b = 0; b < FR_HIST_BUCKETS; b++) {
    seen += d->histogram[b];
    if (seen >= rank) {
      uint64_t upper = hist_upper(b);
      return upper < d->max ? upper : d->max;
    }
  }
  return d->max;
}

void fr_dist_free(struct fr_dist *d) {
  free(d->samples);
  free(d->histogram);
  memset(d, 0, sizeof(*d));
}

static uint64_t mix(uint64_t k) { // splitmix64's finaliser
  k ^= k >> 30;
  k *= 0xbf58476d1ce4e5b9ull;
  k ^= k >> 27;
  k *= 0x94d049bb133111ebull;
  return k ^ (k >> 31);
}

static int map_rehash(struct fr_map *m, uint32_t capacity) {
  struct fr_map n = {calloc(capacity, sizeof(uint64_t)),
                     calloc(capacity, sizeof(uint32_t)), calloc(capacity, 1),
                     capacity, 0};
  if (!n.keys || !n.values || !n.used) {
    fr_map_free(&n);
    return -1;
  }
  for (uint32_t i = 0; i < m->capacity; i++) {
    if (!m->used[i])
      continue;
    uint32_t j = (uint32_t)mix(m->keys[i]) & (capacity - 1);
    while (n.used[j])
      j = (j + 1) & (capacity - 1);
    n.used[j] = 1;
    n.keys[j] = m->keys[i];
    n.values[j] = m->values[i];
    n.count++;
  }
  fr_map_free(m);
  *m = n;
  return 0;
}

uint32_t *fr_map_slot(struct fr_map *m, uint64_t key) {
  if ((m->count + 1) * 4 >= m->capacity * 3 &&
      map_rehash(m, m->capacity ? 2 * m->capacity : 64))
    return NULL;
  uint32_t j = (uint32_t)mix(key) & (m->capacity - 1);
  while (m->used[j]) {
    if (m->keys[j] == key)
      return &m->values[j];
    j = (j + 1) & (m->capacity - 1);
  }
  m->used[j] = 1;
  m->keys[j] = key;
  m->values[j] = UINT32_MAX;
  m->count++;
  return &m->values[j];
}

void fr_map_free(struct fr_map *m) {
  free(m->keys);
  free(m->values);
  free(m->used);
  memset(m, 0, sizeof(*m));
}

int fr_grow(void **array, uint32_t *capacity, uint32_t need, size_t size) {
  if (need <= *capacity)
    return 0;
  uint32_t c = *capacity ? *capacity : 16;
  while (c < need)
    c *= 2;
  void *grown = realloc(*array, (size_t)c * size);
  if (!grown)
    return -1;
  *array = grown;
  *capacity = c;
  return 0;
}

int fr_counts_init(struct fr_counts *c, uint64_t dense_keys) {
  memset(c, 0, sizeof(*c));
  c->dense = dense_keys ? calloc(dense_keys, sizeof(*c->dense)) : NULL;
  c->dense_keys = c->dense ? dense_keys : 0;
  return dense_keys && !c->dense ? -1 : 0;
}

void fr_counts_free(struct fr_counts *c) {
  free(c->dense);
  fr_map_free(&c->sparse);
  memset(c, 0, sizeof(*c));
}
