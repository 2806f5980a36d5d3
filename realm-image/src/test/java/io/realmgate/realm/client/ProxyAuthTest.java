package io.realmgate.realm.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.realmgate.realm.Inbox;
import io.realmgate.realm.RunningRealm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client tunnels through an HTTP CONNECT proxy that demands Basic authentication (our own
 * proxy gets its auth feature in a later issue; this minimal one answers 407 without the right
 * {@code Proxy-Authorization} and relays bytes with it).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProxyAuthTest {
    /** A one-purpose CONNECT proxy: checks the credentials, then relays. */
    static final class BasicAuthProxy implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<Socket> open = new CopyOnWriteArrayList<>();
        private final String expected;

        BasicAuthProxy(String user, String password) throws IOException {
            expected =
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(
                                            (user + ":" + password)
                                                    .getBytes(StandardCharsets.UTF_8));
            Thread t = new Thread(this::serve, "auth-proxy");
            t.setDaemon(true);
            t.start();
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket c = server.accept();
                    open.add(c);
                    Thread t = new Thread(() -> handle(c), "auth-proxy-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void handle(Socket c) {
            try {
                InputStream in = c.getInputStream();
                String head = readHead(in);
                requests.add(head);
                String[] first = head.split("\r\n")[0].split(" ");
                boolean authorized =
                        head.lines()
                                .anyMatch(
                                        l ->
                                                l.equalsIgnoreCase(
                                                                "Proxy-Authorization: " + expected)
                                                        || l.equals(
                                                                "proxy-authorization: "
                                                                        + expected));
                OutputStream out = c.getOutputStream();
                if (!first[0].equals("CONNECT") || !authorized) {
                    out.write(
                            ("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\n"
                                            + "Content-Length: 0\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                    c.close();
                    return;
                }
                String[] hp = first[1].split(":");
                Socket up = new Socket(hp[0], Integer.parseInt(hp[1]));
                open.add(up);
                out.write(
                        "HTTP/1.1 200 Connection established\r\n\r\n"
                                .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Thread back = new Thread(() -> copy(up, c));
                back.setDaemon(true);
                back.start();
                copy(c, up);
            } catch (IOException e) {
                // connection ended
            }
        }

        private static void copy(Socket from, Socket to) {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // nothing
                }
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int state = 0;
            while (state < 4) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("eof");
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

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void connectsThroughAProxyWithBasicAuth() throws Exception {
        try (RunningRealm realm = RunningRealm.start();
                BasicAuthProxy proxy = new BasicAuthProxy("alice", "s3cret");
                RealmClient c =
                        RealmClient.builder(realm.wsUri())
                                .proxy(proxy.address())
                                .proxyAuth("alice", "s3cret")
                                .build()) {
            c.connect().get(10, TimeUnit.SECONDS);
            Inbox in = new Inbox();
            c.subscribe("authed", in).get(5, TimeUnit.SECONDS);
            c.publish("authed", "1").get(5, TimeUnit.SECONDS);
            assertThat(in.next().id()).isEqualTo(1);
            assertThat(proxy.requests.get(0))
                    .startsWith("CONNECT 127.0.0.1:" + realm.ws().getPort() + " HTTP/1.1");
        }
    }

    @Test
    void wrongCredentialsFailTheConnect() throws Exception {
        try (RunningRealm realm = RunningRealm.start();
                BasicAuthProxy proxy = new BasicAuthProxy("alice", "s3cret");
                RealmClient c =
                        RealmClient.builder(realm.wsUri())
                                .proxy(proxy.address())
                                .proxyAuth("alice", "wrong")
                                .noReconnect()
                                .build()) {
            assertThatThrownBy(() -> c.connect().get(10, TimeUnit.SECONDS))
                    .hasStackTraceContaining("407");
        }
    }
}
