// SPDX-License-Identifier: Apache-2.0
// fr_crc32c.c: CRC-32C (Castagnoli) of snapshot sections.
//
// The SSE4.2 crc32 instruction does 8 bytes a cycle or so, which keeps the
// checksum far below the 100 ms budget for writing a 64 MiB window; the table
// version is the portable fallback. The reader (tools/) compiles this same file.
//
// Concurrency: the table is built once by a constructor before main; after that
// everything here is pure and async-signal-safe.
#include <stddef.h>
#include <stdint.h>

#define FR_CRC32C_POLY 0x82F63B78u // reflected

static uint32_t fr_crc_table[256];
static int fr_crc_have_sse42;

__attribute__((constructor)) static void fr_crc32c_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? (c >> 1) ^ FR_CRC32C_POLY : c >> 1;
    fr_crc_table[i] = c;
  }
#if defined(__x86_64__)
  __builtin_cpu_init();
  fr_crc_have_sse42 = __builtin_cpu_supports("sse4.2");
#endif
}

static uint32_t fr_crc32c_table(uint32_t crc, const uint8_t *p, uint64_t len) {
  while (len--)
    crc = fr_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t
fr_crc32c_sse42(uint32_t crc, const uint8_t *p, uint64_t len) {
  uint64_t c = crc;
  for (; len >= 8; len -= 8, p += 8) {
    uint64_t word;
    __builtin_memcpy(&word, p, 8);
    c = __builtin_ia32_crc32di(c, word);
  }
  uint32_t c32 = (uint32_t)c;
  for (; len; len--)
    c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

__attribute__((visibility("hidden"))) uint32_t
fr_crc32c(uint32_t crc, const void *data, uint64_t len) {
  crc = ~crc;
#if defined(__x86_64__)
  if (fr_crc_have_sse42)
    return ~fr_crc32c_sse42(crc, data, len);
#endif
  return ~fr_crc32c_table(crc, data, len);
}
