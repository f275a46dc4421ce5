// The API's error semantics, as Go's FlightRecorder: start while running
// fails; a second recorder cannot start; write_to on a stopped recorder
// fails; a concurrent write_to fails at once with a distinct error; stop
// waits for the in-flight write_to; a stopped recorder can start again.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr %t.fr.path-0
// RUN: %t %t.fr | FileCheck %s
// RUN: %frtool validate %t.fr
// RUN: %frtool validate %t.fr.path-0
// RUN: not test -e %t.fr.path-x
#include "fr.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static fr_recorder *rec;
static int slow_writer_entered, slow_writer_finished; // atomics: TSan tier

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int slow_writer(void *ctx, const void *data, size_t len) {
  (void)ctx, (void)data, (void)len;
  if (!__atomic_load_n(&slow_writer_entered, __ATOMIC_ACQUIRE)) {
    __atomic_store_n(&slow_writer_entered, 1, __ATOMIC_RELEASE);
    sleep_ms(300);
    // stop must not return before this
    __atomic_store_n(&slow_writer_finished, 1, __ATOMIC_RELEASE);
  }
  return 0;
}

static void *write_slowly(void *arg) {
  int r = fr_write_to(rec, slow_writer, NULL);
  return (void *)(long)r;
}

static int failing_writer(void *ctx, const void *data, size_t len) {
  (void)ctx, (void)data, (void)len;
  return -1;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void recorded(void) {
  __asm__ volatile("");
}

int main(int argc, char **argv) {
  fr_config cfg = {0, 0};
  rec = fr_new(&cfg);
  printf("enabled before start: %d\n", fr_enabled(rec));
  // CHECK: enabled before start: 0
  printf("write before start: %s\n", fr_strerror(fr_write_to_fd(rec, 1)));
  // CHECK-NEXT: write before start: the flight recorder is not running
  printf("stop before start: %d\n", fr_stop(rec) == FR_ERR_NOT_RUNNING);
  // CHECK-NEXT: stop before start: 1
  printf("start: %d\n", fr_start(rec));
  // CHECK-NEXT: start: 0
  printf("enabled: %d\n", fr_enabled(rec));
  // CHECK-NEXT: enabled: 1
  printf("start again: %s\n", fr_strerror(fr_start(rec)));
  // CHECK-NEXT: start again: a flight recorder is already running
  fr_recorder *other = fr_new(NULL);
  printf("second recorder: %d\n", fr_start(other) == FR_ERR_RUNNING);
  // CHECK-NEXT: second recorder: 1
  recorded();

  pthread_t t;
  pthread_create(&t, NULL, write_slowly, NULL);
  while (!__atomic_load_n(&slow_writer_entered, __ATOMIC_ACQUIRE))
    sleep_ms(1);
  printf("concurrent write: %s\n", fr_strerror(fr_write_to_fd(rec, 1)));
  // CHECK-NEXT: concurrent write: another snapshot is being written
  printf("stop: %d\n", fr_stop(rec));
  // CHECK-NEXT: stop: 0
  printf("stop waited for the write: %d\n",
         __atomic_load_n(&slow_writer_finished, __ATOMIC_ACQUIRE));
  // CHECK-NEXT: stop waited for the write: 1
  void *result;
  pthread_join(t, &result);
  printf("the slow write: %d\n", (int)(long)result);
  // CHECK-NEXT: the slow write: 0
  printf("enabled after stop: %d\n", fr_enabled(rec));
  // CHECK-NEXT: enabled after stop: 0

  printf("restart: %d\n", fr_start(rec));
  // CHECK-NEXT: restart: 0
  recorded();
  printf("failing writer: %s\n",
         fr_strerror(fr_write_to(rec, failing_writer, NULL)));
  // CHECK-NEXT: failing writer: the snapshot could not be written
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
  printf("write to file: %d\n", fr_write_to_fd(rec, fd));
  // CHECK-NEXT: write to file: 0
  close(fd);
  // The path convenience: a template, never clobbering, nothing left on
  // failure.
  char path[4200];
  snprintf(path, sizeof(path), "%s.path-%%n", argv[1]);
  printf("write to path: %d\n", fr_write_to_path(rec, path));
  // CHECK-NEXT: write to path: 0
  snprintf(path, sizeof(path), "%s", argv[1]);
  int r = fr_write_to_path(rec, path);
  printf("existing path: %s, %s\n", fr_strerror(r), strerror(errno));
  // CHECK-NEXT: existing path: the snapshot could not be written, File exists
  snprintf(path, sizeof(path), "%s.path-x/in/missing/dir", argv[1]);
  printf("missing dir: %d\n", fr_write_to_path(rec, path) == FR_ERR_IO);
  // CHECK-NEXT: missing dir: 1
  printf("empty path: %d\n", fr_write_to_path(rec, "") == FR_ERR_INVALID);
  // CHECK-NEXT: empty path: 1
  printf("null recorder: %d\n", fr_start(NULL) == FR_ERR_INVALID);
  // CHECK-NEXT: null recorder: 1
  fr_free(rec);
  fr_free(other);
  printf("other after free: %d\n", fr_start(fr_new(NULL)));
  // CHECK-NEXT: other after free: 0
  return 0;
}
