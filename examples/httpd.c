// SPDX-License-Identifier: Apache-2.0
// examples/httpd.c: the C counterpart of the Go flight recorder article's
// example: a small multi-threaded HTTP server that is usually fast and, once
// in a while, is not. Built with the fr plugin and run with
//   FR_OPTIONS='slow=handle_request:150ms,...'
// it writes a snapshot right after a request that took too long, with no
// code for it in the program.
//
//   httpd PORT_FILE       serves on 127.0.0.1 (an ephemeral port, written to
//                         PORT_FILE) until GET /quit
//
// Endpoints: /light (a greeting), /heavy?seed=N (a SHA-256 proof of work whose
// difficulty follows from the seed: usually a few leading zero bits, rarely
// many, and then the request is slow), /stats, /quit. Four worker threads
// accept on the same socket; a mutex guards the shared request statistics.
#define _GNU_SOURCE
#include "fr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { WORKERS = 4 };

static int listener;
static volatile int quitting;

static struct {
  pthread_mutex_t lock;
  unsigned long light, heavy, other;
  unsigned long work_bits_total;
} stats = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0};

// The number of leading zero bits a /heavy request must find: 2 to 9 for
// most seeds (a few hundred hashes at most), 17 for one seed in 25 (about
// 130,000 hashes: a slow request).
static unsigned difficulty(unsigned seed) {
  unsigned h = seed * 2654435761u;
  return (h >> 4) % 25 == 0 ? 17 : 2 + (h >> 8) % 8;
}

static unsigned leading_zero_bits(const unsigned char *d) {
  unsigned bits = 0;
  for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
    if (d[i]) {
      return bits + (unsigned)__builtin_clz(d[i]) - 24;
    }
    bits += 8;
  }
  return bits;
}

// Finds a nonce whose SHA-256 with the seed starts with `bits` zero bits.
FR_ALWAYS_INSTRUMENT uint64_t proof_of_work(unsigned seed, unsigned bits) {
  unsigned char input[16], digest[SHA256_DIGEST_LENGTH];
  memcpy(input, &seed, sizeof(seed));
  for (uint64_t nonce = 0;; nonce++) {
    memcpy(input + 8, &nonce, sizeof(nonce));
    SHA256(input, sizeof(input), digest);
    if (leading_zero_bits(digest) >= bits)
      return nonce;
  }
}

FR_ALWAYS_INSTRUMENT static void count_request(char kind, unsigned bits) {
  pthread_mutex_lock(&stats.lock);
  if (kind == 'l')
    stats.light++;
  else if (kind == 'h')
    stats.heavy++, stats.work_bits_total += bits;
  else
    stats.other++;
  pthread_mutex_unlock(&stats.lock);
}

static void respond(int fd, const char *status, const char *body) {
  char head[256];
  int n = snprintf(head, sizeof(head),
                   "HTTP/1.1 %s\r\nContent-Type: text/plain\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                   status, strlen(body));
  write(fd, head, (size_t)n);
  write(fd, body, strlen(body));
}

// One request on one connection.
FR_ALWAYS_INSTRUMENT void handle_request(int fd) {
  char req[2048];
  ssize_t got = read(fd, req, sizeof(req) - 1);
  if (got <= 0)
    return;
  req[got] = 0;
  char body[256];
  unsigned seed;
  if (!strncmp(req, "GET /light", 10)) {
    count_request('l', 0);
    respond(fd, "200 OK", "hello\n");
  } else if (sscanf(req, "GET /heavy?seed=%u", &seed) == 1) {
    unsigned bits = difficulty(seed);
    uint64_t nonce = proof_of_work(seed, bits);
    count_request('h', bits);
    snprintf(body, sizeof(body), "seed %u bits %u nonce %llu\n", seed, bits,
             (unsigned long long)nonce);
    respond(fd, "200 OK", body);
  } else if (!strncmp(req, "GET /stats", 10)) {
    pthread_mutex_lock(&stats.lock);
    snprintf(body, sizeof(body), "light %lu heavy %lu other %lu\n",
             stats.light, stats.heavy, stats.other);
    pthread_mutex_unlock(&stats.lock);
    respond(fd, "200 OK", body);
  } else if (!strncmp(req, "GET /quit", 9)) {
    quitting = 1;
    respond(fd, "200 OK", "bye\n");
    shutdown(listener, SHUT_RDWR); // wakes the other workers' accept
  } else {
    count_request('o', 0);
    respond(fd, "404 Not Found", "no such page\n");
  }
}

static void *worker(void *arg) {
  char name[16];
  snprintf(name, sizeof(name), "http-%ld", (long)arg);
  pthread_setname_np(pthread_self(), name);
  while (!quitting) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0)
      continue;
    handle_request(fd);
    close(fd);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: httpd PORT_FILE\n");
    return 2;
  }
  listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(addr);
  if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) ||
      listen(listener, 128) || getsockname(listener, (struct sockaddr *)&addr, &len)) {
    perror("httpd: listen");
    return 1;
  }
  FILE *f = fopen(argv[1], "w");
  if (!f)
    return 1;
  fprintf(f, "%d\n", ntohs(addr.sin_port));
  fclose(f);
  pthread_t t[WORKERS];
  for (long i = 0; i < WORKERS; i++)
    pthread_create(&t[i], NULL, worker, (void *)i);
  for (int i = 0; i < WORKERS; i++)
    pthread_join(t[i], NULL);
  close(listener);
  printf("httpd: light %lu heavy %lu other %lu\n", stats.light, stats.heavy,
         stats.other);
  return 0;
}
