// Stress: 1,000 snapshot signals to an 8-thread program recording as fast
// as it can. Every signal is accounted for: a snapshot written (all valid,
// checked by run.sh) or counted as not taken, which fr says at exit
// ("N triggered snapshots not taken"); run.sh checks asked = written +
// reported. Usage: signal-storm DIR (with FR_OPTIONS: output=DIR/...,
// rate=0ms, max_dumps high).
#include "fr.h"
#include "spinner.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>


int main(void) {
  pthread_t t[8];
  for (int i = 0; i < 8; i++)
    pthread_create(&t[i], NULL, spinner, NULL);
  struct timespec pause = {0, 200 * 1000};
  for (int i = 0; i < 1000; i++) {
    kill(getpid(), SIGUSR2);
    nanosleep(&pause, NULL);
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
  for (int i = 0; i < 8; i++)
    pthread_join(t[i], NULL);
  printf("asked 1000\n");
  return 0;
}
