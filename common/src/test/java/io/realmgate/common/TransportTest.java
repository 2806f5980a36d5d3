package io.realmgate.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransportTest {
    private static final Transport NATIVE = Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;

    @Test
    void unsetEmptyAutoAndEpollTakeEpollWhereItIsAvailable() throws InvalidSetting {
        assertThat(Transport.select(Map.of())).isEqualTo(NATIVE);
        assertThat(Transport.select(Map.of("REALMGATE_TRANSPORT", ""))).isEqualTo(NATIVE);
        assertThat(Transport.select(Map.of("REALMGATE_TRANSPORT", "auto"))).isEqualTo(NATIVE);
        assertThat(Transport.select(Map.of("REALMGATE_TRANSPORT", "EPOLL"))).isEqualTo(NATIVE);
    }

    @Test
    void nioForcesNio() throws InvalidSetting {
        assertThat(Transport.select(Map.of("REALMGATE_TRANSPORT", "nio"))).isEqualTo(Transport.NIO);
        assertThat(Transport.select(Map.of("REALMGATE_TRANSPORT", " NIO ")))
                .isEqualTo(Transport.NIO);
    }

    @Test
    void anyOtherValueIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> Transport.select(Map.of("REALMGATE_TRANSPORT", "kqueue")))
                .isInstanceOf(InvalidSetting.class)
                .hasMessage(
                        "REALMGATE_TRANSPORT: 'kqueue' is not a transport (auto, epoll or nio)");
    }
}
