package io.realmgate.e2e;

import io.realmgate.proxy.ProxyServer;
import io.realmgate.proxy.config.CommandLine;
import io.realmgate.realm.RealmServer;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.tests.peers.TestCertificates;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The reference scenario on loopback, in this JVM: a realm with a ws and a wss listener (its server
 * certificate issued by the test CA) and our forward proxy in front of it, started from the same
 * flags a user would type, allowing CONNECT only to the targets a test names.
 */
final class Scenario implements AutoCloseable {
    final RealmServer realm;
    final ProxyServer proxy;
    private final Path dir;

    private Scenario(RealmServer realm, ProxyServer proxy, Path dir) {
        this.realm = realm;
        this.proxy = proxy;
        this.dir = dir;
    }

    /** The realm alone (start a proxy with {@link #withProxy}). */
    static Scenario realm() throws Exception {
        return realm(List.of());
    }

    /**
     * The realm alone, allowing pages of these origins besides its own ({@code --allowed-origins}).
     */
    static Scenario realm(List<String> allowedOrigins) throws Exception {
        Path dir = Files.createTempDirectory("realmgate-e2e");
        TestCertificates certs = TestCertificates.get();
        Path cert = Files.writeString(dir.resolve("tls.crt"), certs.server().getCertificatePEM());
        Path key = Files.writeString(dir.resolve("tls.key"), certs.server().getPrivateKeyPEM());
        RealmServer realm =
                new RealmServer(
                                RealmConfig.testing()
                                        .wsPort(0)
                                        .wssPort(0)
                                        .tls(cert, key)
                                        .allowedOrigins(allowedOrigins)
                                        .build())
                        .start();
        return new Scenario(realm, null, dir);
    }

    /** A proxy allowing CONNECT (and forwarding) to exactly these loopback ports. */
    Scenario withProxy(int... allowedPorts) throws Exception {
        String[] rules = new String[allowedPorts.length];
        for (int i = 0; i < allowedPorts.length; i++) {
            rules[i] = "127.0.0.1:" + allowedPorts[i];
        }
        return withProxyRules(rules);
    }

    /**
     * A proxy allowing CONNECT (and forwarding) to exactly these targets ({@code --allow-connect}
     * rules).
     */
    Scenario withProxyRules(String... rules) throws Exception {
        ProxyServer p =
                new ProxyServer(
                                CommandLine.parse(
                                        "--listen",
                                        "127.0.0.1:0",
                                        "--allow-connect",
                                        String.join(",", rules)))
                        .start();
        return new Scenario(realm, p, dir);
    }

    /** A proxy alone on a given port, allowing CONNECT to one loopback port. */
    static Scenario proxyOn(int listenPort, int allowedPort) throws Exception {
        ProxyServer p =
                new ProxyServer(
                                CommandLine.parse(
                                        "--listen",
                                        "127.0.0.1:" + listenPort,
                                        "--allow-connect",
                                        "127.0.0.1:" + allowedPort))
                        .start();
        return new Scenario(null, p, null);
    }

    int wsPort() {
        return realm.wsAddress().getPort();
    }

    int wssPort() {
        return realm.wssAddress().getPort();
    }

    int proxyPort() {
        return proxy.address().getPort();
    }

    URI wsUri() {
        return URI.create("ws://127.0.0.1:" + wsPort() + "/realm");
    }

    URI wssUri() {
        return URI.create("wss://127.0.0.1:" + wssPort() + "/realm");
    }

    /** The test CA's certificate as a PEM file, for peers that take a file. */
    Path caFile() throws Exception {
        Path ca = dir.resolve("ca.pem");
        if (!Files.exists(ca)) {
            Files.writeString(ca, TestCertificates.get().ca().getCertificatePEM());
        }
        return ca;
    }

    Path dir() {
        return dir;
    }

    /** Closes the proxy only (the realm stays, for another proxy). */
    void closeProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Override
    public void close() {
        closeProxy();
        if (realm != null) {
            realm.close();
        }
    }
}
