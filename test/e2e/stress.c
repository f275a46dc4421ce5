// Snapshots taken while 6 threads record as fast as they can, in a window
// small enough that chunks are recycled during the copy, all validate, and
// the race the seqlock exists for happened: a chunk listed by a snapshot was
// recycled before its copy was checked, and was left out (counted in the
// end record's chunks_overwritten). The writer of the snapshot yields
// between buffers so that writers overtake it; the program keeps taking
// snapshots until it has seen the race (it asserts what happened, not how
// long it took), at most 2000.
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: %t %t.dir | FileCheck %s
// RUN: %frtool validate %t.dir/*.fr > %t.valid
// RUN: FileCheck %s --check-prefix=VALID < %t.valid
// RUN: %clang_fr -O2 %s -o %t.debug %fr_link_debug
// RUN: rm -rf %t.ddir && mkdir %t.ddir
// RUN: %t.debug %t.ddir | FileCheck %s
// CHECK: snapshots taken: {{[0-9]+}}, all written
// CHECK: a copied chunk was recycled meanwhile and left out: yes
// VALID: valid: {{[1-7]}} threads
#include "fr.h"
#include "fr_format.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int stop; // an atomic: the TSan tier runs this

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int spin(int x) {
  return x + 1;
}

static void *hammer(void *arg) {
  int x = 0;
  while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
    x = spin(x);
  return (void *)(long)x;
}

// Writes to the file and remembers the last bytes: the end record.
struct sink {
  int fd;
  unsigned char tail[sizeof(struct fr_end_record)];
  size_t tail_len;
};

static int slow_write(void *ctx, const void *data, size_t len) {
  struct sink *s = ctx;
  if (write(s->fd, data, len) != (ssize_t)len)
    return -1;
  size_t keep = len < sizeof(s->tail) ? len : sizeof(s->tail);
  memmove(s->tail, s->tail + keep, sizeof(s->tail) - keep);
  memcpy(s->tail + sizeof(s->tail) - keep, (const char *)data + len - keep,
         keep);
  s->tail_len += keep;
  sched_yield(); // let the writers overtake the copy
  return 0;
}

int main(int argc, char **argv) {
  fr_config cfg = {0, 256 << 10, FR_BUDGET_UNLIMITED}; // writers at full rate
  fr_recorder *r = fr_new(&cfg);
  fr_start(r);
  pthread_t t[6];
  for (int i = 0; i < 6; i++)
    pthread_create(&t[i], NULL, hammer, NULL);
  int ok = 0, taken = 0;
  unsigned long long raced = 0;
  while (taken < 2000 && (taken < 20 || !raced)) {
    char path[4096];
    // Keep the first 20 and any that raced, for validate.
    snprintf(path, sizeof(path), "%s/snap-%04d.fr", argv[1], taken);
    struct sink s = {open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), {0}, 0};
    int result = fr_write_to(r, slow_write, &s);
    close(s.fd);
    taken++;
    ok += result == FR_OK;
    struct fr_end_record end;
    memcpy(&end, s.tail, sizeof(end));
    raced += end.chunks_overwritten;
    if (taken > 20 && !end.chunks_overwritten)
      unlink(path);
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
  for (int i = 0; i < 6; i++)
    pthread_join(t[i], NULL);
  printf("snapshots taken: %d, %s\n", taken,
         ok == taken ? "all written" : "SOME FAILED");
  printf("a copied chunk was recycled meanwhile and left out: %s (%llu)\n",
         raced ? "yes" : "no", raced);
  return 0;
}
