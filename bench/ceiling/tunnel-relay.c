/*
 * usage: tunnel-relay LISTEN_PORT TARGET_PORT BUFFER_BYTES   (TARGET_PORT 0: the port the CONNECT names)
 *
 * The least a CONNECT proxy can do per tunnel, both ways: a thread per tunnel (pthread, detached), blocking
 * sockets, poll(2) over the two legs, one read/write buffer per tunnel. It dials 127.0.0.1 at TARGET_PORT,
 * or at the request line's port, and answers 200: no other parsing, no policy, no logging. It is what the
 * suite's "ceiling" subject runs, so set-up rate, latency and throughput have a measured upper bound beside
 * the proxies (docs/benchmarks.md, "The ceiling").
 */
#include "relay-common.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>

static int target_port;
static long buffer_size;

/* Writes all of buf; false when the peer is gone. */
static int write_all(int fd, const char *buf, ssize_t len) {
    while (len > 0) {
        ssize_t out = write(fd, buf, len);
        if (out <= 0) {
            return 0;
        }
        buf += out;
        len -= out;
    }
    return 1;
}

static void *tunnel(void *arg) {
    int client = (int) (long) arg;
    int up = open_tunnel(client, target_port);
    char *buf = up >= 0 ? malloc(buffer_size) : NULL;
    if (buf != NULL) {
        struct pollfd legs[2] = {{.fd = client, .events = POLLIN}, {.fd = up, .events = POLLIN}};
        int open_inputs = 2;
        /* Ends when both directions have seen their FIN, or on any error. */
        while (open_inputs > 0 && poll(legs, 2, -1) > 0) {
            int failed = 0;
            for (int i = 0; i < 2 && !failed; i++) {
                if (legs[i].revents == 0) {
                    continue;
                }
                int other = legs[1 - i].fd;
                ssize_t in = read(legs[i].fd, buf, buffer_size);
                if (in > 0) {
                    failed = !write_all(other, buf, in);
                } else if (in == 0) {
                    shutdown(other, SHUT_WR); /* half-close passes through */
                    legs[i].fd = -1;          /* poll ignores negative descriptors */
                    open_inputs--;
                } else {
                    failed = 1;
                }
            }
            if (failed) {
                break;
            }
        }
        free(buf);
    }
    if (up >= 0) {
        close(up);
    }
    close(client);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s LISTEN_PORT TARGET_PORT BUFFER_BYTES\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int server = listen_on(atoi(argv[1]));
    target_port = atoi(argv[2]);
    buffer_size = atol(argv[3]);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (;;) {
        int client = accept(server, NULL, NULL);
        if (client < 0) {
            perror("accept");
            continue;
        }
        int one = 1;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t t;
        if (pthread_create(&t, &attr, tunnel, (void *) (long) client) != 0) {
            close(client);
        }
    }
}
