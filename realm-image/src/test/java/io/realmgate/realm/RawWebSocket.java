package io.realmgate.realm;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deliberately bare WebSocket client over a plain socket: it sends exactly the frames a test
 * builds (unmasked, binary, broken UTF-8, oversized, fragmented), never answers pings by itself,
 * and can simply stop reading — everything a well-behaved client library would refuse to do.
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int TEXT = 1;
    public static final int BINARY = 2;
    public static final int CONTINUATION = 0;
    public static final int CLOSE = 8;
    public static final int PING = 9;
    public static final int PONG = 10;

    /** A frame as read off the wire. */
    public record Frame(int opcode, boolean fin, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawWebSocket open(InetSocketAddress address, int receiveBuffer)
            throws IOException {
        return open(address, "/realm", receiveBuffer);
    }

    /** A WebSocket on another server's path (a peer compared with the realm). */
    public static RawWebSocket open(InetSocketAddress address, String path, int receiveBuffer)
            throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.setSoTimeout(5000);
        s.connect(address, 5000);
        RawWebSocket ws = new RawWebSocket(s);
        try {
            ws.handshake(address, path);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return ws;
    }

    public static RawWebSocket open(InetSocketAddress address) throws IOException {
        return open(address, 0);
    }

    /**
     * A WebSocket on a socket already connected to {@code address}, such as a TLS socket for wss;
     * closed if the upgrade fails.
     */
    public static RawWebSocket over(Socket connected, InetSocketAddress address)
            throws IOException {
        RawWebSocket ws = new RawWebSocket(connected);
        try {
            ws.handshake(address, "/realm");
        } catch (IOException e) {
            connected.close();
            throw e;
        }
        return ws;
    }

    private void handshake(InetSocketAddress address, String path) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String req =
                "GET "
                        + path
                        + " HTTP/1.1\r\nHost: 127.0.0.1:"
                        + address.getPort()
                        + "\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: "
                        + Base64.getEncoder().encodeToString(nonce)
                        + "\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(req.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String head = readHead(in);
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + head);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("closed during handshake");
            }
            b.write(c);
            state =
                    (c == '\r' && (state == 0 || state == 2))
                                    || (c == '\n' && (state == 1 || state == 3))
                            ? state + 1
                            : 0;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    public void sendText(String text) throws IOException {
        send(TEXT, true, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one frame exactly as asked. */
    public void send(int opcode, boolean fin, boolean masked, byte[] payload) throws IOException {
        sendRaw(encode(opcode, fin, masked, payload));
    }

    /** Writes bytes as they are (a frame encoded by {@link #encode}, mutated or not). */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Half-closes: the server reads the end of the stream. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** One frame's bytes exactly as asked. */
    public static byte[] encode(int opcode, boolean fin, boolean masked, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xff);
        } else {
            f.write(maskBit | 127);
            long n = payload.length;
            for (int i = 7; i >= 0; i--) {
                f.write((int) (n >>> (8 * i)) & 0xff);
            }
        }
        byte[] body = payload.clone();
        if (masked) {
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            f.write(mask, 0, 4);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= mask[i & 3];
            }
        }
        f.write(body, 0, body.length);
        return f.toByteArray();
    }

    /**
     * Reads the next frame (any opcode); throws {@link SocketTimeoutException} after the socket
     * timeout.
     */
    public Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
    }

    /** Reads until a text frame arrives (skipping pings) and returns its text. */
    public String readText() throws IOException {
        while (true) {
            Frame f = read();
            if (f.opcode() == TEXT) {
                return f.text();
            }
            if (f.opcode() == CLOSE) {
                throw new EOFException("closed by server: " + f.closeCode());
            }
        }
    }

    /** Reads (and discards) frames until the server's close frame; returns its code. */
    public int readUntilClose() throws IOException {
        while (true) {
            Frame f = read();
            if (f.opcode() == CLOSE) {
                return f.closeCode();
            }
        }
    }

    /** True once the server closed the TCP connection (reads end of stream). */
    public boolean serverClosedTcp() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
