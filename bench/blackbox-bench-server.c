// Benchmark peer: HTTP/1.1 servers on loopback that answer after an exact, known delay.
//
// The delay runs from the kernel's receive timestamp of the request (SO_TIMESTAMPNS, taken when
// the segment arrived, before any process woke up) to the reply's write. A thread per connection
// sleeps to just short of the deadline and spins the rest, so the reply leaves within a few
// microseconds of it. A server that started its clock when its own event loop got round to the
// request would add its wake-up and scheduling delays to every tool's error; this one does not.
//
// Usage: blackbox-bench-server DELAY_MS COUNT
// Prints {"ports":[...]} once listening; on end of stdin prints hold statistics and exits.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HOLDS 1000000
#define SPIN_NS 2000000 /* sleeps can wake a millisecond or more late on a busy machine */

static const char REPLY[] = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
static int64_t delay_ns;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double *holds; /* ms, from the request's receive timestamp to the reply's write */
static size_t hold_count;
static long bad_requests;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Reads until the end of the request head; returns the receive timestamp of its last segment. */
static int64_t read_head(int fd) {
  char buf[16384];
  size_t used = 0;
  int64_t arrived = 0;
  while (used < sizeof buf - 1) {
    char control[CMSG_SPACE(sizeof(struct timespec))];
    struct iovec iov = {buf + used, sizeof buf - 1 - used};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t n = recvmsg(fd, &msg, 0);
    if (n <= 0) return 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        struct timespec ts;
        memcpy(&ts, CMSG_DATA(c), sizeof ts);
        arrived = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
      }
    }
    used += (size_t)n;
    buf[used] = 0;
    if (strstr(buf, "\r\n\r\n")) {
      if (strncmp(buf, "GET ", 4) != 0 && strncmp(buf, "HEAD ", 5) != 0) return 0;
      return arrived ? arrived : now_ns();
    }
  }
  return 0;
}

static void *serve(void *arg) {
  int fd = (int)(intptr_t)arg;
  int64_t arrived = read_head(fd);
  if (!arrived) {
    pthread_mutex_lock(&lock);
    bad_requests++;
    pthread_mutex_unlock(&lock);
    close(fd);
    return NULL;
  }
  int64_t due = arrived + delay_ns;
  int64_t wake = due - SPIN_NS;
  struct timespec ts = {wake / 1000000000, wake % 1000000000};
  while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) != 0) {
  }
  while (now_ns() < due) {
  }
  // The hold ends as the write starts: on loopback the write call itself delivers the reply to
  // the client's socket and wakes the client, which can take half a millisecond in a VM.
  int64_t replied = now_ns();
  ssize_t written = write(fd, REPLY, sizeof REPLY - 1);
  (void)written;
  pthread_mutex_lock(&lock);
  if (hold_count < MAX_HOLDS) holds[hold_count++] = (double)(replied - arrived) / 1e6;
  pthread_mutex_unlock(&lock);
  shutdown(fd, SHUT_WR);
  char sink[256];
  while (read(fd, sink, sizeof sink) > 0) {
  }
  close(fd);
  return NULL;
}

static void *accept_loop(void *arg) {
  int listener = (int)(intptr_t)arg;
  for (;;) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd) != 0) close(fd);
    pthread_attr_destroy(&attr);
  }
  return NULL;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s DELAY_MS COUNT\n", argv[0]);
    return 2;
  }
  delay_ns = (int64_t)(atof(argv[1]) * 1e6);
  int count = atoi(argv[2]);
  holds = calloc(MAX_HOLDS, sizeof *holds);
  printf("{\"ports\":[");
  for (int i = 0; i < count; i++) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 1024) != 0 || getsockname(listener, (struct sockaddr *)&addr, &len) != 0) {
      perror("blackbox-bench-server: listen");
      return 1;
    }
    printf("%s%d", i ? "," : "", ntohs(addr.sin_port));
    pthread_t t;
    pthread_create(&t, NULL, accept_loop, (void *)(intptr_t)listener);
  }
  printf("]}\n");
  fflush(stdout);
  char sink[256];
  while (read(0, sink, sizeof sink) > 0) {
  }
  pthread_mutex_lock(&lock);
  qsort(holds, hold_count, sizeof *holds, by_value);
  double median = hold_count ? holds[hold_count / 2] : 0, p99 = hold_count ? holds[(size_t)(hold_count * 0.99)] : 0;
  printf("{\"served\":%zu,\"badRequests\":%ld,\"holdMedianMs\":%.4f,\"holdP99Ms\":%.4f}\n", hold_count, bad_requests, median, p99);
  fflush(stdout);
  return 0;
}
