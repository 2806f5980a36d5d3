package io.realmgate.proxy.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientPolicyTest {
    @Test
    void defaultIsLoopbackOnlyAndMappedAddressesCount() {
        ClientPolicy p = new ClientPolicy(ClientPolicy.LOOPBACK);
        assertThat(p.admits(InetLiterals.parse("127.0.0.1").orElseThrow())).isTrue();
        assertThat(p.admits(InetLiterals.parse("::1").orElseThrow())).isTrue();
        assertThat(p.admits(InetLiterals.parse("::ffff:127.0.0.1").orElseThrow())).isTrue();
        assertThat(p.admits(InetLiterals.parse("127.0.0.2").orElseThrow())).isFalse();
        assertThat(p.admits(InetLiterals.parse("10.0.0.1").orElseThrow())).isFalse();
    }

    @Test
    void declaredBlocks() {
        ClientPolicy p = new ClientPolicy(List.of(Cidr.parse("10.42.0.0/16")));
        assertThat(p.admits(InetLiterals.parse("10.42.7.7").orElseThrow())).isTrue();
        assertThat(p.admits(InetLiterals.parse("10.43.7.7").orElseThrow())).isFalse();
        assertThat(
                        new ClientPolicy(List.of())
                                .admits(InetLiterals.parse("127.0.0.1").orElseThrow()))
                .isFalse();
    }
}
