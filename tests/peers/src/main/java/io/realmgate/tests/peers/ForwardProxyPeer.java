package io.realmgate.tests.peers;

import java.net.InetSocketAddress;

/**
 * A running forward proxy that a test or benchmark talks to: ours, or a peer such as Apache httpd.
 */
public interface ForwardProxyPeer extends AutoCloseable {
    /** Short name for reports: {@code realmgate}, {@code apache}. */
    String name();

    InetSocketAddress address();

    @Override
    void close();
}
