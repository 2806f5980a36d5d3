package io.realmgate.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * WebSocket echo latency: one plain-ws connection (no TLS) through the subject to the WebSocket
 * echo target, then sequential round trips of a 64-byte text message, each timed from before the
 * frame is written until the whole echo frame is read. The first {@code warmUp} round trips are not
 * counted. The client is a minimal RFC 6455 framer over a blocking socket, so the figure is the
 * transport's, not a client library's.
 */
final class WebSocketEchoRun {
    static final int MESSAGE_BYTES = 64;
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** The echo server answers {@code "echo: " + text}. */
    private static final byte[] ECHO_PREFIX = "echo: ".getBytes(StandardCharsets.US_ASCII);

    record Result(double p50Micros, double p99Micros) {}

    private final InetSocketAddress target;
    private final byte[] head = new byte[Connect.MAX_HEAD];

    WebSocketEchoRun(InetSocketAddress target) {
        this.target = target;
    }

    Result measure(Subject subject, int warmUp, int messages) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(ProxyBench.TIMEOUT_MS);
            s.connect(subject.connectTo(target), ProxyBench.TIMEOUT_MS);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (subject.proxied()) {
                Connect.handshake(in, out, target, head);
            }
            upgrade(in, out);
            // Buffered from here on: a frame's header and payload in one read call where they
            // arrived together.
            InputStream frames = new BufferedInputStream(in, 4096);
            byte[] frame = new byte[2 + 4 + MESSAGE_BYTES];
            byte[] expected = new byte[ECHO_PREFIX.length + MESSAGE_BYTES];
            System.arraycopy(ECHO_PREFIX, 0, expected, 0, ECHO_PREFIX.length);
            byte[] reply = new byte[expected.length];
            long[] latencies = new long[messages];
            for (int i = 0; i < warmUp + messages; i++) {
                byte[] text = message(i);
                System.arraycopy(text, 0, expected, ECHO_PREFIX.length, MESSAGE_BYTES);
                encode(text, frame);
                long t0 = System.nanoTime();
                out.write(frame);
                readFrame(frames, reply);
                long t = System.nanoTime() - t0;
                if (!Arrays.equals(reply, expected)) {
                    throw new ProtocolException(
                            "message " + (i + 1) + ": the echo differs from what was sent");
                }
                if (i >= warmUp) {
                    latencies[i - warmUp] = t;
                }
            }
            // A close frame (masked, no payload), then the socket closes; the server's answer is
            // not awaited.
            out.write(new byte[] {(byte) 0x88, (byte) 0x80, 1, 2, 3, 4});
            Arrays.sort(latencies);
            return new Result(
                    SetupRun.percentile(latencies, 50) / 1e3,
                    SetupRun.percentile(latencies, 99) / 1e3);
        }
    }

    /** 64 printable bytes that differ per message, so a stale echo cannot pass for a fresh one. */
    private static byte[] message(int i) {
        String s = String.format("%010d", i);
        byte[] m = new byte[MESSAGE_BYTES];
        for (int k = 0; k < MESSAGE_BYTES; k++) {
            m[k] = k < s.length() ? (byte) s.charAt(k) : (byte) ('a' + k % 26);
        }
        return m;
    }

    /** A final text frame, masked as a client must, with a fresh key per frame. */
    private static void encode(byte[] text, byte[] frame) {
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | text.length);
        int mask = ThreadLocalRandom.current().nextInt();
        for (int k = 0; k < 4; k++) {
            frame[2 + k] = (byte) (mask >>> (24 - 8 * k));
        }
        for (int k = 0; k < text.length; k++) {
            frame[6 + k] = (byte) (text[k] ^ frame[2 + (k & 3)]);
        }
    }

    /**
     * Reads one unmasked, unfragmented text frame whose payload must be exactly {@code into.length}
     * bytes.
     */
    private static void readFrame(InputStream in, byte[] into) throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            throw new ProtocolException("connection closed while waiting for the echo");
        }
        if (b0 != 0x81 || (b1 & 0x80) != 0) {
            throw new ProtocolException(
                    "expected one unmasked text frame, got header bytes " + b0 + " " + b1);
        }
        int len = b1 & 0x7f;
        if (len == 126) {
            len = (in.read() << 8) | in.read();
        }
        if (len != into.length) {
            throw new ProtocolException(
                    "echo payload of " + len + " bytes, expected " + into.length);
        }
        if (in.readNBytes(into, 0, len) != len) {
            throw new ProtocolException("connection closed inside the echo frame");
        }
    }

    private void upgrade(InputStream in, OutputStream out) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String authority = target.getHostString() + ":" + target.getPort();
        out.write(
                ("GET /realm HTTP/1.1\r\nHost: "
                                + authority
                                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Key: "
                                + key
                                + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        String response = readHead(in);
        if (!response.startsWith("HTTP/1.1 101")) {
            throw new ProtocolException(
                    "WebSocket upgrade refused: " + response.lines().findFirst().orElse(""));
        }
        String accept = accept(key);
        boolean ok =
                response.lines()
                        .anyMatch(
                                l ->
                                        l.toLowerCase(Locale.ROOT)
                                                        .startsWith("sec-websocket-accept:")
                                                && l.substring(l.indexOf(':') + 1)
                                                        .trim()
                                                        .equals(accept));
        if (!ok) {
            throw new ProtocolException("WebSocket upgrade without the right Sec-WebSocket-Accept");
        }
    }

    /** The response head up to the blank line, byte by byte so nothing after it is consumed. */
    private String readHead(InputStream in) throws IOException {
        int len = 0;
        // Bounded by the buffer size and each read's SO_TIMEOUT.
        while (len < head.length) {
            int b = in.read();
            if (b < 0) {
                throw new ProtocolException("connection closed during the WebSocket upgrade");
            }
            head[len++] = (byte) b;
            if (len >= 4
                    && head[len - 4] == '\r'
                    && head[len - 3] == '\n'
                    && head[len - 2] == '\r'
                    && head[len - 1] == '\n') {
                return new String(head, 0, len, StandardCharsets.ISO_8859_1);
            }
        }
        throw new ProtocolException(
                "WebSocket upgrade response head longer than " + head.length + " bytes");
    }

    static String accept(String key) {
        try {
            byte[] sha1 =
                    MessageDigest.getInstance("SHA-1")
                            .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
        }
    }
}
