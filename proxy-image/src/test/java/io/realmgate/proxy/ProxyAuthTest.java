package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.realmgate.proxy.access.ProxyUsers;
import io.realmgate.tests.peers.EchoServer;
import io.realmgate.tests.peers.ProxyClient;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Basic proxy authentication against a bcrypt users file. */
@Timeout(60)
class ProxyAuthTest {
    static final String PASSWORD = "correct horse battery staple";

    @TempDir Path dir;
    EchoServer echo;
    RunningProxy proxy;
    Path users;

    @BeforeEach
    void start() throws Exception {
        echo = EchoServer.plain(0);
        users = dir.resolve("users");
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Files.writeString(
                users,
                "# proxy users\nalice:"
                        + OpenBSDBCrypt.generate("2y", PASSWORD.toCharArray(), salt, 6)
                        + "\n");
        proxy =
                RunningProxy.start(
                        "--allow-connect", "127.0.0.1:" + echo.port(), "--users", users.toString());
    }

    @AfterEach
    void stop() {
        proxy.close();
        echo.close();
    }

    static String basic(String user, String password) {
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private ProxyClient.Head connect(String authorization) throws Exception {
        try (Socket s = ProxyClient.open(proxy.address(), null, 10_000)) {
            ProxyClient.send(
                    s,
                    "CONNECT 127.0.0.1:"
                            + echo.port()
                            + " HTTP/1.1\r\nHost: x\r\n"
                            + (authorization == null
                                    ? ""
                                    : "Proxy-Authorization: " + authorization + "\r\n")
                            + "\r\n");
            ProxyClient.Head head = ProxyClient.readHead(s.getInputStream());
            if (head.status() == 200) {
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).isEqualTo('x');
            }
            return head;
        }
    }

    @Test
    void withoutCredentialsTheAnswerIs407WithAChallenge() throws Exception {
        ProxyClient.Head head = connect(null);
        assertThat(head.status()).isEqualTo(407);
        assertThat(head.header("proxy-authenticate")).startsWith("Basic realm=\"realmgate\"");
        assertThat(echo.accepted()).isZero();
    }

    @Test
    void rightCredentialsOpenTheTunnelAndWrongOnesDoNot() throws Exception {
        assertThat(connect(basic("alice", "wrong")).status()).isEqualTo(407);
        assertThat(connect(basic("mallory", PASSWORD)).status()).isEqualTo(407);
        assertThat(connect("Basic !!!notbase64").status()).isEqualTo(407);
        assertThat(connect("Bearer abc").status()).isEqualTo(407);
        assertThat(connect(basic("alice", PASSWORD)).status()).isEqualTo(200);
        assertThat(connect(basic("alice", PASSWORD)).status())
                .as("second time, from the cache")
                .isEqualTo(200);
    }

    @Test
    void repeatedFailuresFromOneAddressAreThrottled() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(connect(basic("alice", "guess-" + i)).status()).isEqualTo(407);
        }
        assertThat(connect(basic("alice", PASSWORD)).status())
                .as("blocked even with the right password")
                .isEqualTo(429);
        assertThat(proxy.server().metrics().refusals("auth_throttled")).isEqualTo(1);
    }

    @Test
    void credentialsNeverReachTheLog() throws Exception {
        try (LogCapture all = LogCapture.of(org.slf4j.Logger.ROOT_LOGGER_NAME)) {
            connect(basic("alice", "a-wrong-secret"));
            connect(basic("alice", PASSWORD));
            List<String> lines = all.awaitLines(2);
            assertThat(lines).isNotEmpty();
            String encoded = basic("alice", PASSWORD).substring(6);
            assertThat(lines)
                    .noneMatch(
                            l ->
                                    l.contains(PASSWORD)
                                            || l.contains("a-wrong-secret")
                                            || l.contains(encoded));
        }
    }

    @Test
    void hashesFromEveryBcryptVersionVerify() throws Exception {
        for (String version : new String[] {"2a", "2b", "2y"}) {
            byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            Path file = dir.resolve("users-" + version);
            Files.writeString(
                    file,
                    "u:" + OpenBSDBCrypt.generate(version, "pw".toCharArray(), salt, 4) + "\n");
            ProxyUsers u = ProxyUsers.load(file);
            assertThat(u.verify(basic("u", "pw"))).as(version).contains("u");
            assertThat(u.verify(basic("u", "pW"))).as(version).isEmpty();
        }
    }

    @Test
    void aUsersFileWithPlaintextIsRefusedAtStartup() throws Exception {
        Path bad = dir.resolve("bad-users");
        Files.writeString(bad, "bob:hunter2\n");
        assertThatThrownBy(() -> ProxyUsers.load(bad))
                .hasMessageContaining("line 1")
                .hasMessageContaining("not bcrypt")
                .hasMessageNotContaining("hunter2");
    }
}
