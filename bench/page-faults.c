// page-faults.c: what this machine charges for a page of fresh anonymous
// memory, touched one page at a time (a fault each) or populated ahead with
// madvise(MADV_POPULATE_WRITE) in blocks of a given size (fr_pool.c does,
// 256 KiB at a time). Prints ns per 4 KiB page for each, best of five.
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// ns per page of touching bytes of a fresh mapping, populated first in
// blocks of block bytes (0: not populated, every page faulted on touch).
static double per_page(size_t bytes, size_t block) {
  char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    exit(1);
  double start = now_ns();
  for (size_t off = 0; off < bytes; off += 4096) {
    if (block && off % block == 0 &&
        madvise(p + off, block, MADV_POPULATE_WRITE) != 0)
      return -1;
    p[off] = 1;
  }
  double ns = (now_ns() - start) / (double)(bytes / 4096);
  munmap(p, bytes);
  return ns;
}

int main(void) {
  const size_t bytes = 16u << 20;
  const size_t blocks[] = {0, 32u << 10, 256u << 10};
  for (int i = 0; i < 3; i++) {
    double best = 0;
    for (int run = 0; run < 5; run++) {
      double ns = per_page(bytes, blocks[i]);
      if (ns < 0) {
        printf("populated in %zu KiB blocks: not supported here\n",
               blocks[i] >> 10);
        break;
      }
      best = run == 0 || ns < best ? ns : best;
    }
    if (best > 0 && blocks[i])
      printf("populated in %zu KiB blocks: %.0f ns a page\n", blocks[i] >> 10, best);
    else if (best > 0)
      printf("faulted page by page: %.0f ns a page\n", best);
  }
  return 0;
}
