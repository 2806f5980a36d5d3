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
#include <string.h>
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
    if (bind(s, (struct sockaddr *) &a, sizeof a) || listen(s, 4096)) {
        perror("listen");
        exit(1);
    }
    return s;
}

/*
 * Reads the request head (one read is enough for the benchmark client), dials the target, answers 200.
 * target_port 0 takes the port from the request line ("CONNECT host:PORT HTTP/1.1"); the host is always
 * 127.0.0.1.
 */
static int open_tunnel(int client, int target_port) {
    char head[1024];
    ssize_t got = read(client, head, sizeof head - 1);
    if (got <= 0) {
        return -1;
    }
    head[got] = 0;
    if (target_port == 0) {
        char *sp = strchr(head, ' '), *end = sp ? strchr(sp + 1, ' ') : NULL;
        char *colon = end ? memrchr(sp, ':', end - sp) : NULL;
        target_port = colon ? atoi(colon + 1) : 0;
        if (target_port <= 0) {
            return -1;
        }
    }
    int up = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in t = loopback(target_port);
    setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(up, (struct sockaddr *) &t, sizeof t)) {
        close(up);
        return -1;
    }
    static const char ok[] = "HTTP/1.1 200 Connection Established\r\n\r\n";
    if (write(client, ok, sizeof ok - 1) != sizeof ok - 1) {
        close(up);
        return -1;
    }
    return up;
}
