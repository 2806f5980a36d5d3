package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code REALMGATE_TRANSPORT} as the proxy process reads it: the one switch of the transport. */
@Timeout(60)
class TransportEnvironmentTest {
    @TempDir Path dir;

    private Process proxy(String transport, Path log) throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                ProxyMain.class.getName(),
                                "--listen",
                                "127.0.0.1:0")
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        pb.environment().put("REALMGATE_TRANSPORT", transport);
        return pb.start();
    }

    @Test
    void nioIsTakenAtItsWord() throws Exception {
        Path log = dir.resolve("nio.log");
        Process p = proxy("nio", log);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(log).contains("listening on")
                    && p.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(log)).contains("(nio transport)");
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anUnknownValueIsOneLineNamingTheVariableAndExitStatus2() throws Exception {
        Path log = dir.resolve("bad.log");
        Process p = proxy("kqueue", log);
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            assertThat(Files.readString(log))
                    .isEqualTo(
                            "realmgate-proxy: REALMGATE_TRANSPORT: 'kqueue' is not a transport (auto, epoll or nio)\n");
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
