package io.realmgate.proxy;

import io.realmgate.common.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link ForwardAbortTest} again on the NIO transport: an origin's FIN, a reset and a
 * client going away reach the handlers through NIO's read loop, not epoll's.
 */
class NioForwardAbortTest extends ForwardAbortTest {
    @BeforeAll
    static void choose() {
        RunningProxy.transport = Transport.NIO;
    }

    @AfterAll
    static void backToDefault() {
        RunningProxy.transport = null;
    }
}
