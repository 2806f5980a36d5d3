/*
 * Ceiling relays: the least work any forward proxy can do per tunnel on this machine, to tell what a
 * proxy-to-direct throughput ratio is physically reachable here. Not part of the product; built and run by
 * hand (docs/benchmarks.md, "The ceiling"). One tunnel at a time, one direction (client to target),
 * blocking sockets, no policy: accept, answer any request head with 200, connect to the target, move bytes
 * until the client's FIN, pass the FIN on.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    return a;
}

static int listen_on(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = loopback(port);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (struct sockaddr *) &a, sizeof a) || listen(s, 16)) {
        perror("listen");
        exit(1);
    }
    return s;
}

/* Reads the request head (one read is enough for the benchmark client), answers 200, dials the target. */
static int open_tunnel(int client, int target_port) {
    char head[1024];
    if (read(client, head, sizeof head) <= 0) {
        return -1;
    }
    static const char ok[] = "HTTP/1.1 200 Connection Established\r\n\r\n";
    if (write(client, ok, sizeof ok - 1) != sizeof ok - 1) {
        return -1;
    }
    int up = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in t = loopback(target_port);
    setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return connect(up, (struct sockaddr *) &t, sizeof t) ? -1 : up;
}
