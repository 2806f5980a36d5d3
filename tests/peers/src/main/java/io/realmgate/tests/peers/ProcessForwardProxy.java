package io.realmgate.tests.peers;

import java.net.InetSocketAddress;

/**
 * A peer proxy that runs as a {@link PeerProcess} (Apache, Squid, tinyproxy): what they share once
 * started. Each subclass only writes its configuration and starts the process.
 */
public abstract class ProcessForwardProxy implements ForwardProxyPeer {
    private final PeerProcess process;

    ProcessForwardProxy(PeerProcess process) {
        this.process = process;
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", process.port());
    }

    /** The main process id (children are found by parent id for memory measurements). */
    public long pid() {
        return process.pid();
    }

    /** What the process wrote to its log files so far. */
    public String logs() {
        return process.logs();
    }

    @Override
    public void close() {
        process.close();
    }
}
