/* usage: splice-relay LISTEN_PORT TARGET_PORT PIPE_BYTES   (PIPE_BYTES 0 = the kernel's default, 64 KiB) */
#include "relay-common.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s LISTEN_PORT TARGET_PORT PIPE_BYTES\n", argv[0]);
        return 2;
    }
    int server = listen_on(atoi(argv[1]));
    int pipe_bytes = atoi(argv[3]);
    for (;;) {
        int client = accept(server, NULL, NULL);
        int up = open_tunnel(client, atoi(argv[2]));
        int p[2];
        if (up >= 0 && pipe(p) == 0) {
            if (pipe_bytes > 0 && fcntl(p[1], F_SETPIPE_SZ, pipe_bytes) < 0) {
                perror("F_SETPIPE_SZ");
            }
            long chunk = pipe_bytes > 0 ? pipe_bytes : 65536;
            ssize_t in;
            while ((in = splice(client, NULL, p[1], NULL, chunk, SPLICE_F_MOVE)) > 0) {
                while (in > 0) {
                    ssize_t out = splice(p[0], NULL, up, NULL, in, SPLICE_F_MOVE);
                    if (out <= 0) {
                        perror("splice to target");
                        return 1;
                    }
                    in -= out;
                }
            }
            shutdown(up, SHUT_WR);
            close(p[0]);
            close(p[1]);
            char reply[8]; /* the sink's byte count, passed back so the client can check it */
            ssize_t n = read(up, reply, sizeof reply);
            if (n > 0) {
                write(client, reply, n);
            }
        }
        if (up >= 0) {
            close(up);
        }
        close(client);
    }
}
