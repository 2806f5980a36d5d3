package io.realmgate.realm;

import io.realmgate.realm.config.RealmConfig;
import java.net.InetSocketAddress;
import java.net.URI;

/** A realm in the test JVM on ephemeral loopback ports, so the leak detector sees its buffers. */
public final class RunningRealm implements AutoCloseable {
    private final RealmServer server;

    private RunningRealm(RealmServer server) {
        this.server = server;
    }

    public static RunningRealm start() throws Exception {
        return start(RealmConfig.testing());
    }

    public static RunningRealm start(RealmConfig.Builder config) throws Exception {
        return new RunningRealm(new RealmServer(config.build()).start());
    }

    /** On a given transport rather than the environment's. */
    public static RunningRealm start(
            RealmConfig.Builder config, io.realmgate.common.Transport transport) throws Exception {
        return new RunningRealm(new RealmServer(config.build(), transport).start());
    }

    public RealmServer server() {
        return server;
    }

    public InetSocketAddress ws() {
        return server.wsAddress();
    }

    public InetSocketAddress wss() {
        return server.wssAddress();
    }

    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + ws().getPort() + "/realm");
    }

    public URI wssUri() {
        return URI.create("wss://127.0.0.1:" + wss().getPort() + "/realm");
    }

    public String http() {
        return "http://127.0.0.1:" + ws().getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
