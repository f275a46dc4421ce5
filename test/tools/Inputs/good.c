#define _GNU_SOURCE
#include "fr.h"
#include <pthread.h>
FR_ALWAYS_INSTRUMENT int leaf(int x) { return x + 1; }
FR_ALWAYS_INSTRUMENT int outer(int x) { return leaf(x) * 2; }
static volatile int sink;
static void *worker(void *a) { pthread_setname_np(pthread_self(), "helper"); sink = outer(1); return a; }
FR_ALWAYS_INSTRUMENT int main(void) {
  pthread_t t; pthread_create(&t, 0, worker, 0); pthread_join(t, 0);
  return outer(2) == 6 ? 0 : 1;
}
