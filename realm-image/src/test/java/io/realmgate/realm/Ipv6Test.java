package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.config.CommandLine;
import io.realmgate.realm.config.RealmConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv6 on loopback: {@code --bind ::} (or {@code listeners.bind}) serves ws and wss to {@code ::1}
 * and to {@code 127.0.0.1} through one dual-stack socket, per-client caps count an IPv6 address,
 * and a bracketed IPv6 Host makes the realm's own origin.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Ipv6Test {

    private static Socket plain(String from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.setSoTimeout(5000);
        s.connect(new InetSocketAddress(InetAddress.getByName(from), port), 5000);
        return s;
    }

    /** TLS to the development certificate, whatever it names: only the listener is under test. */
    private static Socket tls(String from, int port) throws Exception {
        TrustManager trustAny =
                new X509TrustManager() {
                    @Override
                    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                    @Override
                    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                    @Override
                    public X509Certificate[] getAcceptedIssuers() {
                        return new X509Certificate[0];
                    }
                };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {trustAny}, null);
        Socket raw = plain(from, port);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, from, port, true);
        s.startHandshake();
        return s;
    }

    /** The status line of a WebSocket upgrade with this Host and Origin (none if null). */
    private static String upgrade(Socket s, String host, String origin) throws IOException {
        s.getOutputStream()
                .write(
                        ("GET /realm HTTP/1.1\r\nHost: "
                                        + host
                                        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                        + "Sec-WebSocket-Version: 13\r\n"
                                        + (origin == null ? "" : "Origin: " + origin + "\r\n")
                                        + "\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        StringBuilder line = new StringBuilder();
        InputStream in = s.getInputStream();
        for (int b; line.length() < 200 && (b = in.read()) >= 0 && b != '\r'; ) {
            line.append((char) b);
        }
        return line.toString();
    }

    private static String hostOf(String from, int port) {
        return (from.contains(":") ? "[" + from + "]" : from) + ":" + port;
    }

    private static void servesBothFamilies(RealmServer server) throws Exception {
        int ws = server.wsAddress().getPort();
        int wss = server.wssAddress().getPort();
        assertThat(server.wsAddress().getAddress().isAnyLocalAddress()).isTrue();
        for (String from : new String[] {"::1", "127.0.0.1"}) {
            try (Socket s = plain(from, ws)) {
                assertThat(upgrade(s, hostOf(from, ws), null))
                        .as("ws from " + from)
                        .isEqualTo("HTTP/1.1 101 Switching Protocols");
            }
            try (Socket s = tls(from, wss)) {
                assertThat(upgrade(s, hostOf(from, wss), null))
                        .as("wss from " + from)
                        .isEqualTo("HTTP/1.1 101 Switching Protocols");
            }
        }
    }

    @Test
    void bindingTheIpv6WildcardServesWsAndWssToBothFamilies() throws Exception {
        RealmConfig config =
                CommandLine.parse(
                        "--bind", "::", "--ws-port", "0", "--wss-port", "0", "--self-signed");
        try (RunningRealm realm = RunningRealm.start(config.toBuilder())) {
            servesBothFamilies(realm.server());
        }
    }

    @Test
    void theConfigFilesListenersBindDoesTheSame(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("realm.yaml");
        Files.writeString(file, "listeners:\n  bind: \"::\"\n  wsPort: 0\n  wssPort: 0\n");
        RealmConfig config = CommandLine.parse("--config", file.toString(), "--self-signed");
        assertThat(config.bind()).isEqualTo("::");
        try (RunningRealm realm = RunningRealm.start(config.toBuilder())) {
            servesBothFamilies(realm.server());
        }
    }

    @Test
    void thePerClientCapCountsAnIpv6Address() throws Exception {
        try (RunningRealm realm =
                        RunningRealm.start(
                                RealmConfig.testing().bind("::").maxConnectionsPerClient(2));
                Socket one = plain("::1", realm.ws().getPort());
                Socket two = plain("::1", realm.ws().getPort())) {
            int port = realm.ws().getPort();
            assertThat(upgrade(one, hostOf("::1", port), null)).startsWith("HTTP/1.1 101");
            assertThat(upgrade(two, hostOf("::1", port), null)).startsWith("HTTP/1.1 101");
            try (Socket three = plain("::1", port)) {
                assertThat(upgrade(three, hostOf("::1", port), null)).startsWith("HTTP/1.1 503");
            }
            try (Socket other = plain("127.0.0.1", port)) {
                assertThat(upgrade(other, hostOf("127.0.0.1", port), null))
                        .startsWith("HTTP/1.1 101");
            }
            assertThat(realm.server().metrics().render())
                    .contains("realmgate_realm_connections_refused_total{cap=\"per-client\"} 1");
        }
    }

    @Test
    void aBracketedIpv6HostMakesTheRealmsOwnOrigin() throws Exception {
        try (RunningRealm realm = RunningRealm.start(RealmConfig.testing().bind("::1"))) {
            int port = realm.ws().getPort();
            String host = "[::1]:" + port;
            try (Socket s = plain("::1", port)) {
                assertThat(upgrade(s, host, "http://[::1]:" + port)).startsWith("HTTP/1.1 101");
            }
            try (Socket s = plain("::1", port)) {
                assertThat(upgrade(s, host, "http://[::2]:" + port)).startsWith("HTTP/1.1 403");
            }
            try (Socket s = plain("::1", port)) {
                assertThat(upgrade(s, host, "https://[::1]:" + port)).startsWith("HTTP/1.1 403");
            }
        }
    }
}
