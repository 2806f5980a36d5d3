package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.tests.peers.ClassPathProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code REALMGATE_TRANSPORT} as the realm process reads it: the one switch of the transport. */
@Timeout(60)
class TransportEnvironmentTest {
    @TempDir Path dir;

    private ClassPathProcess realm(String transport, Path log) throws Exception {
        return ClassPathProcess.start(
                RealmMain.class,
                Map.of("REALMGATE_TRANSPORT", transport),
                log,
                null,
                "--bind",
                "127.0.0.1",
                "--ws-port",
                "0",
                "--wss-port",
                "off");
    }

    @Test
    void nioIsTakenAtItsWord() throws Exception {
        try (ClassPathProcess p = realm("nio", dir.resolve("nio.log"))) {
            assertThat(p.awaitOutput("listening", Duration.ofSeconds(30)))
                    .contains("(nio transport)");
        }
    }

    @Test
    void anUnknownValueIsOneLineNamingTheVariableAndExitStatus2() throws Exception {
        try (ClassPathProcess p = realm("kqueue", dir.resolve("bad.log"))) {
            assertThat(p.exitStatus(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(p.output())
                    .isEqualTo(
                            "realmgate-realm: REALMGATE_TRANSPORT: 'kqueue' is not a transport (auto, epoll or nio)\n");
        }
    }
}
