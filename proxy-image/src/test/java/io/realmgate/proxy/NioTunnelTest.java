package io.realmgate.proxy;

import io.realmgate.common.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link TunnelTest} (half-close, 256 MiB each way, concurrent echo tunnels, resets,
 * a burst before a FIN to a slow reader, 1,000 concurrent tunnels, backpressure, early bytes,
 * access log) again on the NIO transport, where tunnels copy through Netty's channels ({@code
 * TunnelRelay}); the base class checks after each test that every tunnel went through that relay,
 * so a silent fall-back fails here.
 */
class NioTunnelTest extends TunnelTest {
    @BeforeAll
    static void choose() {
        RunningProxy.transport = Transport.NIO;
    }

    @AfterAll
    static void backToDefault() {
        RunningProxy.transport = null;
    }

    @Override
    String relay() {
        return "channel";
    }
}
