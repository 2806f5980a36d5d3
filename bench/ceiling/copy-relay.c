/* usage: copy-relay LISTEN_PORT TARGET_PORT BUFFER_BYTES */
#include "relay-common.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s LISTEN_PORT TARGET_PORT BUFFER_BYTES\n", argv[0]);
        return 2;
    }
    int server = listen_on(atoi(argv[1]));
    long size = atol(argv[3]);
    char *buf = malloc(size);
    for (;;) {
        int client = accept(server, NULL, NULL);
        int up = open_tunnel(client, atoi(argv[2]));
        if (up >= 0) {
            ssize_t in;
            while ((in = read(client, buf, size)) > 0) {
                for (char *p = buf; in > 0;) {
                    ssize_t out = write(up, p, in);
                    if (out <= 0) {
                        perror("write to target");
                        return 1;
                    }
                    in -= out;
                    p += out;
                }
            }
            shutdown(up, SHUT_WR);
            ssize_t n = read(up, buf, 8); /* the sink's byte count, passed back so the client can check it */
            if (n > 0) {
                write(client, buf, n);
            }
            close(up);
        }
        close(client);
    }
}
