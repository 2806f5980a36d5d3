package io.realmgate.proxy;

import io.realmgate.common.Transport;
import io.realmgate.proxy.access.TargetResolver;
import io.realmgate.proxy.config.CommandLine;
import io.realmgate.proxy.config.ProxyConfig;
import io.realmgate.tests.peers.ForwardProxyPeer;
import java.net.InetSocketAddress;

/**
 * Our proxy, started in this JVM from the same flags a user would type, so leak detection sees its
 * buffers.
 */
final class RunningProxy implements ForwardProxyPeer {
    private final ProxyServer server;

    private RunningProxy(ProxyServer server) {
        this.server = server;
    }

    /**
     * The transport the next proxies start on: the one {@code REALMGATE_TRANSPORT} asks for unless
     * a test class chooses (the NIO variants of the tunnel tests; one JVM cannot change its own
     * environment).
     */
    static volatile Transport transport;

    static RunningProxy start(String... flags) throws Exception {
        return start(TargetResolver.SYSTEM, flags);
    }

    static RunningProxy start(TargetResolver resolver, String... flags) throws Exception {
        String[] withListen = new String[flags.length + 2];
        withListen[0] = "--listen";
        withListen[1] = "127.0.0.1:0";
        System.arraycopy(flags, 0, withListen, 2, flags.length);
        ProxyConfig config = CommandLine.parse(withListen);
        Transport chosen = transport != null ? transport : Transport.fromEnvironment();
        return new RunningProxy(new ProxyServer(config, resolver, chosen).start());
    }

    ProxyServer server() {
        return server;
    }

    @Override
    public String name() {
        return "realmgate";
    }

    @Override
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }
}
