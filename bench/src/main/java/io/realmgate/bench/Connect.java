package io.realmgate.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP CONNECT handshake, for a channel (throughput) and for a socket's streams (set-up). Only
 * the response head is read: the target sends nothing until the client does, so bytes after the
 * blank line would mean a proxy bug and are reported rather than silently carried over.
 */
final class Connect {
    /** Apache adds a header or two; anything longer than this is not a sane CONNECT answer. */
    static final int MAX_HEAD = 8192;

    private Connect() {}

    static byte[] request(InetSocketAddress target) {
        String authority = target.getHostString() + ":" + target.getPort();
        return ("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static void handshake(SocketChannel ch, InetSocketAddress target, Watchdog.Guard guard)
            throws IOException {
        ByteBuffer req = ByteBuffer.wrap(request(target));
        while (req.hasRemaining()) {
            ch.write(req);
            guard.progress();
        }
        ByteBuffer head = ByteBuffer.allocate(MAX_HEAD);
        // Bounded: every pass reads at least one byte into a fixed buffer, or fails.
        while (true) {
            if (!head.hasRemaining()) {
                throw new ProtocolException(
                        "CONNECT response head longer than " + MAX_HEAD + " bytes");
            }
            if (ch.read(head) < 0) {
                throw new EOFException("proxy closed before answering CONNECT");
            }
            guard.progress();
            if (checkHead(head.array(), head.position())) {
                return;
            }
        }
    }

    static void handshake(InputStream in, OutputStream out, InetSocketAddress target, byte[] buf)
            throws IOException {
        out.write(request(target));
        int len = 0;
        // Bounded like the channel version; each read also has the socket's SO_TIMEOUT.
        while (true) {
            if (len == buf.length) {
                throw new ProtocolException(
                        "CONNECT response head longer than " + buf.length + " bytes");
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                throw new EOFException("proxy closed before answering CONNECT");
            }
            len += n;
            if (checkHead(buf, len)) {
                return;
            }
        }
    }

    /**
     * False while the head is incomplete; true once it is complete with status 200; else throws.
     */
    private static boolean checkHead(byte[] buf, int len) throws ProtocolException {
        int end = -1;
        for (int i = 3; i < len; i++) {
            if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n') {
                end = i + 1;
                break;
            }
        }
        if (end < 0) {
            return false;
        }
        String head = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
        String status = head.substring(0, head.indexOf("\r\n"));
        // "HTTP/1.0 200 Connection Established" (Apache) or "HTTP/1.1 200 ..." (ours).
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].equals("200")) {
            throw new ProtocolException("CONNECT refused: " + status);
        }
        if (end != len) {
            throw new ProtocolException(
                    (len - end) + " unexpected bytes after the CONNECT response head");
        }
        return true;
    }
}
