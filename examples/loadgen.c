// SPDX-License-Identifier: Apache-2.0
// examples/loadgen.c: a bounded load generator for examples/httpd.c.
//
//   loadgen PORT REQUESTS CONNECTIONS
//
// CONNECTIONS threads send REQUESTS requests in all (half /light, half
// /heavy with consecutive seeds), one connection per request, then one
// GET /quit. Prints the slowest request it saw. Not instrumented: it is the
// outside world.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;
static int requests;
static int next_request;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double slowest_ms;
static char slowest_path[64];
static int failures;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int get(const char *path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  char req[128], resp[512];
  int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
  int ok = write(fd, req, (size_t)n) == n;
  ssize_t got, total = 0;
  while ((got = read(fd, resp, sizeof(resp))) > 0)
    total += got;
  close(fd);
  return ok && total > 0 ? 0 : -1;
}

static void *client(void *arg) {
  for (;;) {
    pthread_mutex_lock(&lock);
    int i = next_request++;
    pthread_mutex_unlock(&lock);
    if (i >= requests)
      return arg;
    char path[64];
    if (i % 2)
      snprintf(path, sizeof(path), "/heavy?seed=%d", i / 2);
    else
      snprintf(path, sizeof(path), "/light");
    double start = now_ms();
    int r = get(path);
    double took = now_ms() - start;
    pthread_mutex_lock(&lock);
    failures += r != 0;
    if (took > slowest_ms) {
      slowest_ms = took;
      snprintf(slowest_path, sizeof(slowest_path), "%s", path);
    }
    pthread_mutex_unlock(&lock);
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: loadgen PORT REQUESTS CONNECTIONS\n");
    return 2;
  }
  port = atoi(argv[1]);
  requests = atoi(argv[2]);
  int conns = atoi(argv[3]);
  pthread_t t[64];
  if (conns < 1 || conns > 64)
    return 2;
  double start = now_ms();
  for (int i = 0; i < conns; i++)
    pthread_create(&t[i], NULL, client, NULL);
  for (int i = 0; i < conns; i++)
    pthread_join(t[i], NULL);
  printf("loadgen: %d requests in %.0f ms, %d failed; slowest %s took %.1f ms\n",
         requests, now_ms() - start, failures, slowest_path, slowest_ms);
  get("/quit");
  return failures != 0;
}
