package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.tests.peers.ClassPathProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code REALMGATE_PROXY_WARM_UP} as the proxy process reads it. */
@Timeout(90)
class WarmUpProcessTest {
    @TempDir Path dir;

    @Test
    void aCountWarmsUpBeforeListeningAndLogsNoAccessLine() throws Exception {
        try (ClassPathProcess p =
                ClassPathProcess.start(
                        ProxyMain.class,
                        Map.of("REALMGATE_PROXY_WARM_UP", "200"),
                        dir.resolve("warm.out"),
                        dir.resolve("warm.err"),
                        "--listen",
                        "127.0.0.1:0")) {
            p.awaitOutput("before listening", Duration.ofSeconds(60));
            String out = p.output();
            assertThat(out).contains("listening on", "warmed up with 200 loopback tunnel(s) in ");
            assertThat(out).doesNotContain("method=CONNECT", "stopped by");
        }
    }

    @Test
    void anInvalidCountIsOneLineNamingTheVariableAndExitStatus2() throws Exception {
        try (ClassPathProcess p =
                ClassPathProcess.start(
                        ProxyMain.class,
                        Map.of("REALMGATE_PROXY_WARM_UP", "lots"),
                        dir.resolve("bad.log"),
                        null,
                        "--listen",
                        "127.0.0.1:0")) {
            assertThat(p.exitStatus(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(p.output())
                    .isEqualTo(
                            "realmgate-proxy: REALMGATE_PROXY_WARM_UP must be a tunnel count from 0 (no"
                                    + " warm-up) to 100000, got 'lots'\n");
        }
    }
}
