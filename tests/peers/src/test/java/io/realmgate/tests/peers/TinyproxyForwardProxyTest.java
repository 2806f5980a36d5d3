package io.realmgate.tests.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tinyproxy peer as the benchmark uses it: CONNECT to an allowed port works, any other port is
 * refused.
 */
@Timeout(60)
class TinyproxyForwardProxyTest {
    private static final int TIMEOUT_MS = 10_000;

    @Test
    void tunnelsToAnAllowedPortAndRefusesAnother() throws Exception {
        assumeTrue(
                TinyproxyForwardProxy.available(),
                "tinyproxy is not installed (Debian package tinyproxy-bin: apt-get install tinyproxy-bin)");
        try (EchoServer allowed = EchoServer.plain(0);
                EchoServer other = EchoServer.plain(0);
                TinyproxyForwardProxy proxy =
                        TinyproxyForwardProxy.start(
                                List.of(allowed.port()), List.of("127.0.0.1"))) {
            try (Socket s = ProxyClient.open(proxy.address(), null, TIMEOUT_MS)) {
                ProxyClient.Head head = ProxyClient.connect(s, "127.0.0.1:" + allowed.port());
                assertThat(head.status()).as(head.statusLine()).isEqualTo(200);
                byte[] ping = "ping through tinyproxy".getBytes(StandardCharsets.US_ASCII);
                s.getOutputStream().write(ping);
                InputStream in = s.getInputStream();
                assertThat(in.readNBytes(ping.length)).isEqualTo(ping);
            }
            try (Socket s = ProxyClient.open(proxy.address(), null, TIMEOUT_MS)) {
                ProxyClient.Head head = ProxyClient.connect(s, "127.0.0.1:" + other.port());
                assertThat(head.status()).as(head.statusLine()).isEqualTo(403);
            }
            assertThat(other.accepted())
                    .as("connections that reached the port not allowed")
                    .isZero();
        }
    }
}
