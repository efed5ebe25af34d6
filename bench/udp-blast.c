// Bounded small-UDP sender and receiver for bench/side-by-side.ps1 (compiled by it with gcc -O2).
//   udp-blast recv PORT IDLE_MS MAX_MS        counts datagrams until IDLE_MS without one (after the first) or MAX_MS;
//                                             prints the count
//   udp-blast send ADDR PORT RATE COUNT FLOWS sends COUNT 18-byte datagrams at RATE per second from FLOWS source
//                                             ports (one socket each, in turn, up to 32 datagrams per sendmmsg);
//                                             prints "sent N in S s" (the rate it reached)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int do_recv(int port, int idle_ms, int max_ms)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int size = 32 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = INADDR_ANY };
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); return 1; }
    printf("ready\n");
    fflush(stdout);
    enum { N = 64 };
    static char buf[N][64];
    struct mmsghdr msgs[N];
    struct iovec iov[N];
    for (int i = 0; i < N; i++) {
        iov[i].iov_base = buf[i];
        iov[i].iov_len = sizeof buf[i];
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    long count = 0;
    double start = now();
    struct pollfd p = { .fd = fd, .events = POLLIN };
    for (;;) {
        double elapsed = (now() - start) * 1000;
        if (elapsed > max_ms) break;
        int r = poll(&p, 1, count ? idle_ms : (int)(max_ms - elapsed) + 1);
        if (r <= 0) { if (count) break; continue; }
        int n = recvmmsg(fd, msgs, N, MSG_DONTWAIT, NULL);
        if (n > 0) count += n;
    }
    printf("%ld\n", count);
    return 0;
}

static int do_send(const char *addr, int port, long rate, long count, int flows)
{
    int fds[256];
    if (flows < 1 || flows > 256) flows = 1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, addr, &a.sin_addr);
    for (int i = 0; i < flows; i++) {
        fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
        if (connect(fds[i], (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; }
    }
    static char payload[18];
    memset(payload, 'x', sizeof payload);
    enum { BATCH = 32 };
    static struct mmsghdr msgs[BATCH];
    static struct iovec iov[BATCH];
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = payload;
        iov[i].iov_len = sizeof payload;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    long sent = 0;
    double start = now();
    while (sent < count) {
        long due = (long)((now() - start) * rate);
        if (due > count) due = count;
        if (due <= sent) {
            struct timespec t = { 0, 20000 };
            nanosleep(&t, NULL);
            continue;
        }
        // up to BATCH datagrams of one flow per sendmmsg, the flows in turn
        while (sent < due) {
            int n = due - sent < BATCH ? (int)(due - sent) : BATCH;
            int r = sendmmsg(fds[(sent / BATCH) % flows], msgs, n, 0);
            if (r > 0) sent += r;
            else { struct timespec t = { 0, 10000 }; nanosleep(&t, NULL); }
        }
    }
    printf("sent %ld in %.3f s\n", sent, now() - start);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "recv") == 0) return do_recv(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    if (argc == 7 && strcmp(argv[1], "send") == 0) return do_send(argv[2], atoi(argv[3]), atol(argv[4]), atol(argv[5]), atoi(argv[6]));
    fprintf(stderr, "usage: udp-blast recv PORT IDLE_MS MAX_MS | send ADDR PORT RATE COUNT FLOWS\n");
    return 64;
}
