package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.realmgate.proxy.config.CommandLine;
import io.realmgate.tests.peers.EchoServer;
import io.realmgate.tests.peers.HttpOrigin;
import io.realmgate.tests.peers.KubeletVolume;
import io.realmgate.tests.peers.ProxyClient;
import io.realmgate.tests.peers.TestCertificates;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy in a pod: its config file, users file and TLS files are in ConfigMap and Secret
 * volumes, and the kubelet updates those by swapping a {@code ..data} symbolic link ({@link
 * KubeletVolume}). Every update is served without a restart (the same listener, open tunnels
 * untouched), which is why the operator keeps none of these files' content in the pod template.
 */
@Timeout(60)
class KubernetesVolumeReloadTest {
    @TempDir Path dir;
    RunningProxy proxy;
    EchoServer a;
    EchoServer b;
    HttpOrigin origin;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private RunningProxy startWithConfig(Path configFile) throws Exception {
        String[] flags = {"--listen", "127.0.0.1:0", "--config", configFile.toString()};
        RunningProxy started = RunningProxy.start("--config", configFile.toString());
        // What ProxyMain does after start.
        started.server().watchConfig(() -> CommandLine.parse(flags), configFile);
        return started;
    }

    @Test
    void aConfigMapUpdateChangesTheTargetsWhileTheListenerAndOpenTunnelsStay() throws Exception {
        a = EchoServer.plain(0);
        b = EchoServer.plain(0);
        KubeletVolume config = new KubeletVolume(dir.resolve("config"));
        config.write(Map.of("proxy.yaml", "allowConnect: ['127.0.0.1:" + a.port() + "']\n"));
        proxy = startWithConfig(config.file("proxy.yaml"));
        InetSocketAddress listener = proxy.address();

        try (Socket open = ProxyClient.open(proxy.address(), null, 5_000)) {
            assertThat(ProxyClient.connect(open, "127.0.0.1:" + a.port()).status()).isEqualTo(200);
            assertThat(tunnelStatus(b)).isEqualTo(403);

            config.write(Map.of("proxy.yaml", "allowConnect: ['127.0.0.1:" + b.port() + "']\n"));
            awaitTrue(() -> tunnelStatus(b) == 200, "the updated ConfigMap's rule is served");
            assertThat(tunnelStatus(a)).as("the rule the update removed").isEqualTo(403);

            open.getOutputStream().write("still".getBytes(StandardCharsets.US_ASCII));
            assertThat(open.getInputStream().readNBytes(5))
                    .as("the tunnel opened before the update")
                    .isEqualTo("still".getBytes(StandardCharsets.US_ASCII));
            assertThat(proxy.address()).as("same listener: no restart").isEqualTo(listener);
        }
    }

    @Test
    void aUsersSecretUpdateChangesThePasswordsWithoutTheConfigChanging() throws Exception {
        a = EchoServer.plain(0);
        KubeletVolume users = new KubeletVolume(dir.resolve("auth"));
        users.write(Map.of("users", "alice:" + bcrypt("first password") + "\n"));
        KubeletVolume config = new KubeletVolume(dir.resolve("config"));
        config.write(
                Map.of(
                        "proxy.yaml",
                        "allowConnect: ['127.0.0.1:"
                                + a.port()
                                + "']\nauth:\n  usersFile: "
                                + users.file("users")
                                + "\n"));
        proxy = startWithConfig(config.file("proxy.yaml"));
        assertThat(authenticated("alice", "first password")).isEqualTo(200);

        try (LogCapture log = LogCapture.of("io.realmgate.proxy.ProxyServer")) {
            users.write(Map.of("users", "alice:" + bcrypt("second password") + "\n"));
            // Polling with the new password would count failures and get throttled: wait for the
            // reload instead.
            awaitTrue(
                    () -> log.awaitLines(0).stream().anyMatch(l -> l.contains("config reloaded")),
                    "the users file is reloaded");
        }
        assertThat(authenticated("alice", "second password")).isEqualTo(200);
        assertThat(authenticated("alice", "first password"))
                .as("cached before, refused now")
                .isEqualTo(407);
    }

    @Test
    void aTlsSecretUpdateServesTheNewCertificateToNewConnectionsWhileOpenTunnelsStay()
            throws Exception {
        origin = new HttpOrigin(0);
        KubeletVolume tls = new KubeletVolume(dir.resolve("tls"));
        tls.write(pair(BigInteger.valueOf(1001)));
        proxy =
                RunningProxy.start(
                        "--allow-connect",
                        "127.0.0.1:" + origin.port(),
                        "--tls-cert",
                        tls.file("tls.crt").toString(),
                        "--tls-key",
                        tls.file("tls.key").toString());
        proxy.server()
                .watchConfig(
                        () -> {
                            throw new IllegalStateException("no config file here");
                        },
                        null);

        try (SSLSocket first = tlsToProxy()) {
            assertThat(serialOf(first)).isEqualTo(1001);
            ProxyClient.send(
                    first, "CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(ProxyClient.readHead(first.getInputStream()).status()).isEqualTo(200);

            tls.write(pair(BigInteger.valueOf(2002)));
            awaitTrue(
                    () -> {
                        try (SSLSocket probe = tlsToProxy()) {
                            return serialOf(probe).equals(BigInteger.valueOf(2002));
                        }
                    },
                    "the renewed certificate is served to new connections");

            ProxyClient.send(first, "GET /after-renewal HTTP/1.1\r\nHost: x\r\n\r\n");
            ProxyClient.Head head = ProxyClient.readHead(first.getInputStream());
            assertThat(
                            new String(
                                    ProxyClient.readBody(first.getInputStream(), head),
                                    StandardCharsets.UTF_8))
                    .as("the tunnel opened before the renewal")
                    .contains("/after-renewal");
        }
    }

    private int tunnelStatus(EchoServer target) throws Exception {
        try (Socket s = ProxyClient.open(proxy.address(), null, 5_000)) {
            return ProxyClient.connect(s, "127.0.0.1:" + target.port()).status();
        }
    }

    private int authenticated(String user, String password) throws Exception {
        try (Socket s = ProxyClient.open(proxy.address(), null, 5_000)) {
            String credentials =
                    Base64.getEncoder()
                            .encodeToString(
                                    (user + ":" + password).getBytes(StandardCharsets.UTF_8));
            ProxyClient.send(
                    s,
                    "CONNECT 127.0.0.1:"
                            + a.port()
                            + " HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic "
                            + credentials
                            + "\r\n\r\n");
            return ProxyClient.readHead(s.getInputStream()).status();
        }
    }

    private static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 6);
    }

    private static Map<String, String> pair(BigInteger serial) throws Exception {
        X509Bundle b =
                new CertificateBuilder()
                        .serial(serial)
                        .subject("CN=localhost")
                        .addSanDnsName("localhost")
                        .addSanIpAddress("127.0.0.1")
                        .addExtendedKeyUsageServerAuth()
                        .ecp256()
                        .notBefore(Instant.now().minus(1, ChronoUnit.HOURS))
                        .notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
                        .buildIssuedBy(TestCertificates.get().ca());
        return Map.of("tls.crt", b.getCertificatePEM(), "tls.key", b.getPrivateKeyPEM());
    }

    private SSLSocket tlsToProxy() throws Exception {
        Socket tcp = ProxyClient.open(proxy.address(), null, 10_000);
        SSLSocket tls =
                (SSLSocket)
                        TestCertificates.get()
                                .clientSocketFactory()
                                .createSocket(tcp, "localhost", proxy.address().getPort(), true);
        tls.startHandshake();
        return tls;
    }

    private static BigInteger serialOf(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    /**
     * A condition that may throw, checked every 100 ms for up to 10 s (the proxy looks once a
     * second).
     */
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!check.holds()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
