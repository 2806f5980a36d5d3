package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.util.ResourceLeakDetector;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A bounded fuzzer with a fixed seed: mutated WebSocket frames (frame decoder) and mutated protocol
 * messages (ClientMessage) over real sockets. The realm must stay up, answer a control client all
 * the while, and leak no buffer (the leak detector runs paranoid in tests).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProtocolFuzzTest {
    private static final long SEED = 0x5EED_2026L;
    private static final int MESSAGES = 3000;
    private static final int FRAMES = 1500;

    private static final String[] SEEDS = {
        "{\"op\":\"subscribe\",\"channel\":\"fuzz-a\",\"ref\":\"s1\"}",
        "{\"op\":\"subscribe\",\"channel\":\"fuzz-b\",\"from\":0,\"ref\":7}",
        "{\"op\":\"unsubscribe\",\"channel\":\"fuzz-a\"}",
        "{\"op\":\"publish\",\"channel\":\"fuzz-a\",\"data\":{\"k\":[1,2.5e3,\"x\",null,true]},\"ref\":\"p\"}",
        "{\"op\":\"publish\",\"channel\":\"fuzz-b\",\"data\":\"text \\u00e9 \\ud83d\\ude00\"}",
        "{\"op\":\"publish\",\"channel\":\"fuzz-c\",\"data\":-12345678901234567890}",
    };
    private static final String[] TOKENS = {
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "\\",
        "\\u0000",
        "\\ud800",
        "1e400",
        "-0",
        "9223372036854775808",
        "null",
        "true",
        "\"op\"",
        "\"from\"",
        "\"channel\"",
        "\"data\"",
        "\"ref\"",
        "[[[[[[[[",
        "\u00e9",
        "\u0000",
    };

    private static byte[] mutate(Random r, byte[] in) {
        byte[] b = in.clone();
        int rounds = 1 + r.nextInt(4);
        for (int n = 0; n < rounds; n++) {
            int at = b.length == 0 ? 0 : r.nextInt(b.length);
            switch (r.nextInt(6)) {
                case 0 -> { // flip a bit
                    if (b.length > 0) {
                        b[at] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> { // random byte
                    if (b.length > 0) {
                        b[at] = (byte) r.nextInt(256);
                    }
                }
                case 2 -> { // cut a range
                    int len = Math.min(b.length - at, 1 + r.nextInt(8));
                    byte[] c = new byte[b.length - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, b.length - at - len);
                    b = c;
                }
                case 3 -> { // insert a token
                    b =
                            insert(
                                    b,
                                    at,
                                    TOKENS[r.nextInt(TOKENS.length)].getBytes(
                                            StandardCharsets.UTF_8));
                }
                case 4 -> { // duplicate a range
                    int len = Math.min(b.length - at, 1 + r.nextInt(16));
                    byte[] piece = new byte[len];
                    System.arraycopy(b, at, piece, 0, len);
                    b = insert(b, at, piece);
                }
                default -> { // truncate
                    b = Arrays.copyOf(b, at);
                }
            }
        }
        return b;
    }

    private static byte[] insert(byte[] b, int at, byte[] piece) {
        byte[] c = new byte[b.length + piece.length];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(piece, 0, c, at, piece.length);
        System.arraycopy(b, at, c, at + piece.length, b.length - at);
        return c;
    }

    /** Valid frames, as a client sends them. */
    private static List<byte[]> frameSeeds() {
        byte[] msg = SEEDS[3].getBytes(StandardCharsets.UTF_8);
        List<byte[]> f = new ArrayList<>();
        f.add(RawWebSocket.encode(RawWebSocket.TEXT, true, true, msg));
        f.add(
                RawWebSocket.encode(
                        RawWebSocket.PING, true, true, "ping".getBytes(StandardCharsets.US_ASCII)));
        f.add(RawWebSocket.encode(RawWebSocket.PONG, true, true, new byte[0]));
        f.add(
                RawWebSocket.encode(
                        RawWebSocket.CLOSE, true, true, new byte[] {0x03, (byte) 0xe8, 'o', 'k'}));
        f.add(RawWebSocket.encode(RawWebSocket.BINARY, true, true, new byte[] {1, 2, 3}));
        byte[] a = RawWebSocket.encode(RawWebSocket.TEXT, false, true, Arrays.copyOf(msg, 20));
        byte[] b =
                RawWebSocket.encode(
                        RawWebSocket.CONTINUATION,
                        true,
                        true,
                        Arrays.copyOfRange(msg, 20, msg.length));
        f.add(insert(a, a.length, b));
        f.add(RawWebSocket.encode(RawWebSocket.TEXT, true, true, new byte[300])); // 16-bit length
        return f;
    }

    /** The control client: a publish on its channel arrives within the socket timeout. */
    private static void control(RawWebSocket pub, RawWebSocket sub, int n) throws IOException {
        pub.sendText("{\"op\":\"publish\",\"channel\":\"fuzz-control\",\"data\":" + n + "}");
        assertThat(pub.readText()).contains("ack");
        String t;
        do {
            t = sub.readText();
        } while (!t.contains("\"data\":" + n + "}"));
    }

    private static long protocolErrors(RunningRealm realm) {
        for (String line : realm.server().metrics().render().split("\n")) {
            if (line.startsWith("realmgate_realm_protocol_errors_total ")) {
                return Long.parseLong(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        return -1;
    }

    @Test
    void mutatedFramesAndMessagesNeitherCrashNorLeakAndTheControlClientIsServed() throws Exception {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        Logger leaks = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        ListAppender<ILoggingEvent> reports = new ListAppender<>();
        reports.start();
        leaks.addAppender(reports);
        Random r = new Random(SEED);
        int closes = 0;
        try (RunningRealm realm = RunningRealm.start();
                RawWebSocket controlPub = RawWebSocket.open(realm.ws());
                RawWebSocket controlSub = RawWebSocket.open(realm.ws())) {
            controlSub.sendText("{\"op\":\"subscribe\",\"channel\":\"fuzz-control\"}");
            assertThat(controlSub.readText()).contains("subscribed");
            int controls = 0;

            // Messages: mutated JSON in valid frames, 50 at a time, each batch ended by a marker
            // publish.
            RawWebSocket ws = RawWebSocket.open(realm.ws());
            try {
                for (int batch = 0; batch < MESSAGES / 50; batch++) {
                    String marker = "marker-" + batch;
                    try {
                        for (int i = 0; i < 50; i++) {
                            // Kept valid UTF-8 (the frame fuzz below covers that): the messages
                            // reach the parser.
                            byte[] m =
                                    mutate(
                                            r,
                                            SEEDS[r.nextInt(SEEDS.length)].getBytes(
                                                    StandardCharsets.UTF_8));
                            ws.send(
                                    RawWebSocket.TEXT,
                                    true,
                                    true,
                                    new String(m, StandardCharsets.UTF_8)
                                            .getBytes(StandardCharsets.UTF_8));
                        }
                        ws.sendText(
                                "{\"op\":\"publish\",\"channel\":\"fuzz-m\",\"data\":0,\"ref\":\""
                                        + marker
                                        + "\"}");
                        String t;
                        do {
                            t = ws.readText();
                        } while (!(t.contains("\"ack\"")
                                && t.contains("\"ref\":\"" + marker + "\"")));
                    } catch (EOFException | SocketException e) {
                        closes++; // closed for cause (invalid UTF-8: 1007): a new connection goes
                        // on
                        ws.close();
                        ws = RawWebSocket.open(realm.ws());
                    }
                    control(controlPub, controlSub, controls++);
                }
            } finally {
                ws.close();
            }

            // Frames: one mutated valid frame and a valid publish per connection, then the end of
            // stream;
            // the realm answers or closes, and never hangs on it.
            List<byte[]> frames = frameSeeds();
            for (int i = 0; i < FRAMES; i++) {
                try (RawWebSocket f = RawWebSocket.open(realm.ws())) {
                    f.sendRaw(mutate(r, frames.get(r.nextInt(frames.size()))));
                    f.sendRaw(
                            RawWebSocket.encode(
                                    RawWebSocket.TEXT,
                                    true,
                                    true,
                                    "{\"op\":\"publish\",\"channel\":\"fuzz-f\",\"data\":1}"
                                            .getBytes(StandardCharsets.US_ASCII)));
                    try {
                        f.shutdownOutput();
                        assertThat(f.serverClosedTcp())
                                .as("frame case %d: closed after the end of stream", i)
                                .isTrue();
                    } catch (SocketException reset) {
                        // refused mid-write: fine
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("frame case " + i + " hung", e);
                }
                if (i % 50 == 0) {
                    control(controlPub, controlSub, controls++);
                }
            }

            // Leaks are reported when buffers are allocated after the leaked ones were collected.
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(50);
                control(controlPub, controlSub, controls++);
            }
            // Most mutated messages were refused by the parser with an error, the connection open.
            assertThat(protocolErrors(realm)).isGreaterThan(MESSAGES / 4);
        } finally {
            leaks.detachAppender(reports);
        }
        assertThat(reports.list)
                .as("leak reports")
                .noneMatch(e -> e.getFormattedMessage().contains("LEAK"));
        assertThat(closes).as("connections closed by the realm during the message fuzz").isZero();
    }
}
