package io.realmgate.proxy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link TransparentModeTest} (the SNI-routed transparent listener) again with epoll
 * tunnels relayed by splice(2); the base class checks after each test that every tunnel went
 * through that relay, so a silent fall-back fails here.
 */
class SplicingTransparentModeTest extends TransparentModeTest {
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
