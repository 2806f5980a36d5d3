package io.realmgate.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ListenerAddressesTest {

    @Test
    void theIpv6WildcardFallsBackToTheIpv4OneWhereIpv6IsMissing() {
        InetSocketAddress a = ListenerAddresses.of("::", 3128, () -> false);
        assertThat(a.getAddress()).isInstanceOf(Inet4Address.class);
        assertThat(a.getAddress().isAnyLocalAddress()).isTrue();
        assertThat(a.getPort()).isEqualTo(3128);
        assertThat(ListenerAddresses.of("[::]", 1, () -> false).getAddress())
                .isInstanceOf(Inet4Address.class);
    }

    @Test
    void theIpv6WildcardStaysWhereIpv6IsThere() {
        InetSocketAddress a = ListenerAddresses.of("[::]", 3128, () -> true);
        assertThat(a.getAddress()).isInstanceOf(Inet6Address.class);
        assertThat(a.getAddress().isAnyLocalAddress()).isTrue();
    }

    @Test
    void otherHostsAreBoundAsGiven() {
        InetAddress v6Loopback = ListenerAddresses.of("::1", 1, () -> false).getAddress();
        assertThat(v6Loopback).isInstanceOf(Inet6Address.class);
        assertThat(v6Loopback.isLoopbackAddress()).isTrue();
        assertThat(ListenerAddresses.of("[::1]", 1, () -> false).getAddress())
                .isInstanceOf(Inet6Address.class);
        assertThat(ListenerAddresses.of("127.0.0.1", 1, () -> false).getAddress().getHostAddress())
                .isEqualTo("127.0.0.1");
        assertThat(ListenerAddresses.of("0.0.0.0", 1, () -> true).getAddress())
                .isInstanceOf(Inet4Address.class);
    }

    /** This machine has IPv6 loopback: the probe says so, and {@code ::} takes both families. */
    @Test
    void onThisHostTheWildcardIsDualStack() throws Exception {
        assertThat(ListenerAddresses.ipv6Available()).isTrue();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(ListenerAddresses.of("::", 0));
            server.setSoTimeout(10_000);
            for (String client : new String[] {"::1", "127.0.0.1"}) {
                try (Socket s = new Socket(client, server.getLocalPort());
                        Socket accepted = server.accept()) {
                    assertThat(accepted.isConnected()).as(client).isTrue();
                }
            }
        }
    }
}
