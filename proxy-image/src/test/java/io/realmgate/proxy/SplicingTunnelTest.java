package io.realmgate.proxy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link TunnelTest} (half-close, 256 MiB each way, concurrent echo tunnels, resets,
 * a burst before a FIN to a slow reader, 1,000 concurrent tunnels, backpressure, early bytes,
 * access log) again with epoll tunnels relayed by splice(2) ({@code SplicePump}); the base class
 * checks after each test that every tunnel went through that relay, so a silent fall-back fails
 * here.
 */
class SplicingTunnelTest extends TunnelTest {
    @BeforeAll
    static void choose() {
        System.setProperty("realmgate.relay", "splice");
    }

    @AfterAll
    static void backToDefault() {
        System.clearProperty("realmgate.relay");
    }

    @Override
    String relay() {
        return "splice";
    }
}
