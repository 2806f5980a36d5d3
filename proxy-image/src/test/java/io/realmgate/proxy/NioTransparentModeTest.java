package io.realmgate.proxy;

import io.realmgate.common.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link TransparentModeTest} (the SNI-routed transparent listener) again on the NIO
 * transport, where tunnels copy through Netty's channels; the base class checks after each test
 * that every tunnel went through that relay, so a silent fall-back fails here.
 */
class NioTransparentModeTest extends TransparentModeTest {
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
