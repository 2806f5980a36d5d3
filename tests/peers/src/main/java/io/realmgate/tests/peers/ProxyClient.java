package io.realmgate.tests.peers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately plain HTTP/1.1 client over a raw socket, so tests see exactly the bytes a proxy
 * sends and can send exactly the bytes they mean, including malformed ones.
 */
public final class ProxyClient {
    /** A response head as read off the wire; the body is left on the socket. */
    public record Head(String statusLine, int status, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private ProxyClient() {}

    /** Opens a socket to the proxy, optionally from a chosen local address, with a read timeout. */
    public static Socket open(InetSocketAddress proxy, String localAddress, int timeoutMillis)
            throws IOException {
        Socket s = new Socket();
        if (localAddress != null) {
            s.bind(new InetSocketAddress(localAddress, 0));
        }
        s.setTcpNoDelay(true);
        s.setSoTimeout(timeoutMillis);
        s.connect(proxy, timeoutMillis);
        return s;
    }

    public static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Sends {@code CONNECT authority} and reads the response head. */
    public static Head connect(Socket s, String authority) throws IOException {
        send(s, "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
        return readHead(s.getInputStream());
    }

    public static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        String statusLine = null;
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException(
                        "connection closed before the end of the response head"
                                + (statusLine != null ? " (got '" + statusLine + "')" : ""));
            }
            if (++total > 64 * 1024) {
                throw new IOException("response head larger than 64 KiB");
            }
            if (b == '\n') {
                String l = line.toString(StandardCharsets.ISO_8859_1);
                if (l.endsWith("\r")) {
                    l = l.substring(0, l.length() - 1);
                }
                line.reset();
                if (statusLine == null) {
                    statusLine = l;
                } else if (l.isEmpty()) {
                    break;
                } else {
                    int colon = l.indexOf(':');
                    String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = l.substring(colon + 1).trim();
                    headers.merge(name, value, (a, c) -> a + ", " + c);
                }
            } else {
                line.write(b);
            }
        }
        String[] parts = statusLine.split(" ", 3);
        return new Head(statusLine, Integer.parseInt(parts[1]), headers);
    }

    /** Reads a body of Content-Length bytes, or chunked, or to EOF. */
    public static byte[] readBody(InputStream in, Head head) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String cl = head.header("content-length");
        String te = head.header("transfer-encoding");
        if (cl != null) {
            body.write(in.readNBytes(Integer.parseInt(cl)));
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String sizeLine = readLine(in);
                int semi = sizeLine.indexOf(';');
                int size =
                        Integer.parseInt(
                                (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(in.readNBytes(size));
                readLine(in);
            }
        } else {
            body.write(in.readAllBytes());
        }
        return body.toByteArray();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed inside a chunked body");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** True if the peer closed the connection (EOF or reset) within the socket's read timeout. */
    public static boolean closedByPeer(Socket s) {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (true) {
                int r = in.read(buf);
                if (r < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }
}
