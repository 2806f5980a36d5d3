package io.realmgate.proxy;

import io.realmgate.proxy.tunnel.RelayMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link TransparentModeTest} (the SNI-routed transparent listener) again with tunnels relayed by splice(2)
 * ({@code -Drealmgate.relay=splice}); the base class checks after each test that every tunnel was
 * spliced, so a silent fall-back to copying fails here.
 */
class SplicedTransparentModeTest extends TransparentModeTest {
    @BeforeAll
    static void useSplice() {
        System.setProperty("realmgate.relay", "splice");
    }

    @AfterAll
    static void backToDefault() {
        System.clearProperty("realmgate.relay");
    }

    @Override
    RelayMode relay() {
        return RelayMode.SPLICE;
    }
}
