package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.tests.peers.ClassPathProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code REALMGATE_TRANSPORT} as the proxy process reads it: the one switch of the transport. */
@Timeout(60)
class TransportEnvironmentTest {
    @TempDir Path dir;

    private ClassPathProcess proxy(String transport, Path log) throws Exception {
        return ClassPathProcess.start(
                ProxyMain.class,
                Map.of("REALMGATE_TRANSPORT", transport),
                log,
                null,
                "--listen",
                "127.0.0.1:0");
    }

    @Test
    void nioIsTakenAtItsWord() throws Exception {
        try (ClassPathProcess p = proxy("nio", dir.resolve("nio.log"))) {
            assertThat(p.awaitOutput("listening on", Duration.ofSeconds(30)))
                    .contains("(nio transport)");
        }
    }

    @Test
    void anUnknownValueIsOneLineNamingTheVariableAndExitStatus2() throws Exception {
        try (ClassPathProcess p = proxy("kqueue", dir.resolve("bad.log"))) {
            assertThat(p.exitStatus(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(p.output())
                    .isEqualTo(
                            "realmgate-proxy: REALMGATE_TRANSPORT: 'kqueue' is not a transport (auto, epoll or nio)\n");
        }
    }
}
