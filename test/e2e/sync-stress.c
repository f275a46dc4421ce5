// Four threads take a shared mutex, a rwlock and a semaphore and pass bytes
// through pipes while the main thread takes snapshots into a small window:
// every snapshot validates and summarises, and the last one's summary has
// the locks and descriptors of the run. Run twice: with the default overhead
// budget, which mutes the hottest sites while the snapshots are taken (each
// must still validate: the site table is written twice, for its checksum and
// its bytes), and with no budget, where everything is recorded.
// RUN: %clang_fr -O2 %s -o %t %fr_link
// RUN: rm -rf %t.dir %t.full && mkdir %t.dir %t.full
// RUN: %t %t.dir | FileCheck %s
// RUN: %frtool validate %t.dir/*.fr | FileCheck %s --check-prefix=VALID
// RUN: sh -c 'for f in %t.dir/*.fr; do %frtool summary --json $f > $f.json || exit 1; done'
// RUN: %t %t.full off | FileCheck %s
// RUN: %frtool validate %t.full/*.fr | FileCheck %s --check-prefix=VALID
// RUN: %frtool summary %t.full/snap-09.fr | FileCheck %s --check-prefix=SUMMARY
// CHECK: 10 snapshots written
// VALID-COUNT-10: valid: {{[5-9]}} threads
// SUMMARY-NOT: budget:
// SUMMARY: locks
// SUMMARY-DAG: mutex {{.*}}T{{[0-9]+}},T{{[0-9]+}}
// SUMMARY-DAG: rwlock
// SUMMARY-DAG: sem
// SUMMARY: blocking calls by site
// SUMMARY-DAG: write worker
// SUMMARY-DAG: read worker
// SUMMARY-NOT: muted
#include "fr.h"

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { WORKERS = 4 };

static int stop; // an atomic: TSan tier
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static sem_t sem;
static long shared, shared_rw; // under mutex; under rwlock
static int pipes[WORKERS][2];

static void *worker(void *arg) {
  long id = (long)arg;
  char byte = 'x';
  while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
    pthread_mutex_lock(&mutex);
    shared++;
    pthread_mutex_unlock(&mutex);
    if (id & 1) {
      pthread_rwlock_rdlock(&rwlock);
      (void)shared_rw;
    } else {
      pthread_rwlock_wrlock(&rwlock);
      shared_rw--;
    }
    pthread_rwlock_unlock(&rwlock);
    sem_wait(&sem);
    sem_post(&sem);
    // Each worker writes to the next one's pipe and reads its own.
    write(pipes[(id + 1) % WORKERS][1], &byte, 1);
    read(pipes[id][0], &byte, 1);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  sem_init(&sem, 0, 2);
  for (int i = 0; i < WORKERS; i++)
    pipe(pipes[i]);
  fr_recorder *r = fr_default_recorder();
  fr_config cfg = {.min_age_ns = 0, .max_bytes = 256 << 10};
  if (argc > 2 && !strcmp(argv[2], "off"))
    cfg.budget_percent = FR_BUDGET_UNLIMITED;
  fr_recorder *own = NULL;
  if (!r) {
    own = r = fr_new(&cfg);
    fr_start(r);
  }
  pthread_t t[WORKERS];
  for (long i = 0; i < WORKERS; i++)
    pthread_create(&t[i], NULL, worker, (void *)i);
  int written = 0;
  for (int n = 0; n < 10; n++) {
    usleep(20000);
    char path[4096];
    snprintf(path, sizeof(path), "%s/snap-%02d.fr", argv[1], n);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    written += fd >= 0 && fr_write_to_fd(r, fd) == 0;
    close(fd);
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
  // A worker may wait in read for a byte its upstream neighbour, already
  // stopped, never sends: one more byte per pipe lets every read return.
  for (int i = 0; i < WORKERS; i++)
    write(pipes[i][1], "x", 1);
  for (int i = 0; i < WORKERS; i++)
    pthread_join(t[i], NULL);
  printf("%d snapshots written\n", written);
  if (own) {
    fr_stop(own);
    fr_free(own);
  }
  return 0;
}
