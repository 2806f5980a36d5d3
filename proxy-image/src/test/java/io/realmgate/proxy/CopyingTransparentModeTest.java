package io.realmgate.proxy;

import io.realmgate.proxy.tunnel.RelayMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link TransparentModeTest} (the SNI-routed transparent listener) again on the NIO transport, where tunnels copy
 * ({@code TunnelRelay}) instead of splicing; the base class checks after each test that no tunnel
 * was spliced, so the two relays are each tested on purpose.
 */
class CopyingTransparentModeTest extends TransparentModeTest {
    @BeforeAll
    static void useNio() {
        System.setProperty("realmgate.transport", "nio");
    }

    @AfterAll
    static void backToDefault() {
        System.clearProperty("realmgate.transport");
    }

    @Override
    RelayMode relay() {
        return RelayMode.COPY;
    }
}
