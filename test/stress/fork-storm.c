// Stress: 200 forks of a program whose other thread writes snapshots in a
// loop and whose third thread records without pause. No fork may hang (the
// runtime's locks are taken around fork), and every child writes its own
// exit snapshot (run.sh validates them all). Usage: fork-storm (with
// FR_OPTIONS: output=DIR/child-%p.fr).
#include "fr.h"
#include "spinner.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void in_child(void) { sink--; }

static int discard(void *ctx, const void *data, size_t len) {
  (void)ctx, (void)data, (void)len;
  return 0;
}

static void *snapshotter(void *arg) {
  while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
    fr_write_to(fr_default_recorder(), discard, NULL);
  return arg;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, spinner, NULL);
  pthread_create(&b, NULL, snapshotter, NULL);
  int exited = 0;
  for (int i = 0; i < 200; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      in_child();
      exit(0); // its exit snapshot
    }
    int status;
    waitpid(pid, &status, 0);
    exited += WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("children exited cleanly: %d of 200\n", exited);
  return 0;
}
