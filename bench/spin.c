// SPDX-License-Identifier: Apache-2.0
// bench/spin.c: fills a large window fast, for measuring frtool's speed
// (bench/frtool-speed.sh): four threads call small instrumented functions in
// a loop, take a shared mutex now and then and write to /dev/null, for
// SECONDS seconds; the exit snapshot holds the window.
#include "fr.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static volatile int stop;
static volatile int sink;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int leaf(int x) { return x + 1; }
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int middle(int x) {
  return leaf(x) + leaf(x + 1);
}

static void *worker(void *arg) {
  int fd = open("/dev/null", O_WRONLY);
  for (unsigned i = 0; !stop; i++) {
    sink = middle(sink);
    if (i % 64 == 0) {
      pthread_mutex_lock(&lock);
      sink++;
      pthread_mutex_unlock(&lock);
    }
    if (i % 256 == 0)
      write(fd, "x", 1);
  }
  close(fd);
  return arg;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 2;
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, worker, NULL);
  usleep((useconds_t)(seconds * 1e6));
  stop = 1;
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  return 0;
}
