package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The realm process started with {@code --config FILE} and nothing else: the file's listeners,
 * allowed origin and connection cap are what a client meets on a real socket; a bad file stops the
 * process before anything starts.
 */
@Timeout(120)
class ConfigFileProcessTest {
    private static final Pattern WS_PORT = Pattern.compile("listening: ws on \\S*:(\\d+),");

    @TempDir Path dir;

    private Process realm(Path config, Path log) throws IOException {
        return new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        RealmMain.class.getName(),
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    @Test
    void theFilesLimitsTakeEffect() throws Exception {
        Path config =
                Files.writeString(
                        dir.resolve("realm.yaml"),
                        """
                listeners:
                  bind: 127.0.0.1
                  wsPort: 0
                  wssPort: off
                allowedOrigins:
                  - https://app.example.com
                limits:
                  maxConnections: 1
                  headerTimeout: 60s
                """);
        Path log = dir.resolve("realm.log");
        Process p = realm(config, log);
        try {
            int port = port(p, log);
            try (Socket first = new Socket("127.0.0.1", port)) {
                first.setSoTimeout(30_000);
                // The origin the file allows (the default allows none but the realm's own).
                send(first, upgrade(port, "https://app.example.com"));
                assertThat(statusLine(first.getInputStream()))
                        .isEqualTo("HTTP/1.1 101 Switching Protocols");
                // maxConnections: 1, and it is taken: a second connection may only probe.
                try (Socket second = new Socket("127.0.0.1", port)) {
                    second.setSoTimeout(30_000);
                    send(
                            second,
                            "GET /stream?sub=prices HTTP/1.1\r\nHost: 127.0.0.1:"
                                    + port
                                    + "\r\n\r\n");
                    assertThat(statusLine(second.getInputStream()))
                            .isEqualTo("HTTP/1.1 503 Service Unavailable");
                }
            }
            // Once the first has gone, another origin is refused by origin, not by the cap. The
            // close reaches the
            // realm's count a moment after the socket's: ask again while the cap still answers,
            // within a deadline.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String status;
            do {
                try (Socket third = new Socket("127.0.0.1", port)) {
                    third.setSoTimeout(30_000);
                    send(third, upgrade(port, "https://elsewhere.example.com"));
                    status = statusLine(third.getInputStream());
                }
                if (status.contains(" 503 ")) {
                    Thread.sleep(100);
                }
            } while (status.contains(" 503 ") && System.nanoTime() < deadline);
            assertThat(status).isEqualTo("HTTP/1.1 403 Forbidden");
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBadFileIsOneLineNamingFileKeyAndLineAndExitStatus2() throws Exception {
        Path config =
                Files.writeString(
                        dir.resolve("bad.yaml"),
                        "listeners:\n  wssPort: off\nlimits:\n  maxStreams: 0\n");
        Path log = dir.resolve("bad.log");
        Process p = realm(config, log);
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            assertThat(Files.readString(log))
                    .isEqualTo(
                            "realmgate-realm: "
                                    + config
                                    + ":4: limits.maxStreams: must be positive\n");
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The ephemeral port the realm logs once it listens; fails if the process ends first or within
     * a minute.
     */
    private static int port(Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = WS_PORT.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!p.isAlive()) {
                throw new AssertionError("the realm stopped: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the realm did not listen within 60 s: " + Files.readString(log));
    }

    private static String upgrade(int port, String origin) {
        return "GET /realm HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: "
                + origin
                + "\r\n\r\n";
    }

    private static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /**
     * The first line of the answer, read up to its CRLF (at most 8 KiB); the rest is left unread.
     */
    private static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n' && line.size() < 8192) {
            line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
    }
}
