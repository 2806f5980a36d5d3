package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Requests pipelined behind a long-poll are answered after it, in order. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PipelinedPollTest {
    private static RunningRealm realm;

    @BeforeAll
    static void start() throws Exception {
        realm = RunningRealm.start();
    }

    @AfterAll
    static void stop() {
        realm.close();
    }

    private record Answer(int status, String body) {}

    private static Answer answer(InputStream in) throws Exception {
        String status = HttpLines.line(in);
        int length = 0;
        for (String h = HttpLines.line(in); !h.isEmpty(); h = HttpLines.line(in)) {
            if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        return new Answer(
                Integer.parseInt(status.split(" ")[1]),
                new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: realm\r\n\r\n";
    }

    @Test
    void requestsBehindAHeldPollAreAnsweredAfterItInOrder() throws Exception {
        try (Socket s = new Socket("127.0.0.1", realm.ws().getPort());
                RawWebSocket pub = RawWebSocket.open(realm.ws())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(
                    (get("/poll?sub=pipe-a&wait=5")
                                    + get("/healthz")
                                    + get("/poll?sub=pipe-b&wait=0")
                                    + get("/nowhere"))
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The poll is held; its answer comes with the event published now, then the rest in
            // order.
            Thread.sleep(300);
            pub.sendText("{\"op\":\"publish\",\"channel\":\"pipe-a\",\"data\":\"first\"}");
            assertThat(pub.readText()).contains("ack");
            Answer poll = answer(in);
            assertThat(poll.status()).isEqualTo(200);
            assertThat(poll.body()).contains("\"first\"");
            Answer health = answer(in);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok\n");
            Answer second = answer(in);
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).contains("pipe-b").contains("subscribed");
            assertThat(answer(in).status()).isEqualTo(404);
            // The connection takes requests again.
            out.write(get("/healthz").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(answer(in).status()).isEqualTo(200);
        }
    }

    @Test
    void pastTheQueueTheConnectionEndsAfterTheQueuedAnswers() throws Exception {
        try (Socket s = new Socket("127.0.0.1", realm.ws().getPort())) {
            s.setSoTimeout(10_000);
            StringBuilder b = new StringBuilder(get("/poll?sub=pipe-c&wait=1"));
            for (int i = 0; i < 40; i++) {
                b.append(get("/healthz"));
            }
            s.getOutputStream().write(b.toString().getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            assertThat(answer(in).body()).contains("pipe-c");
            int healthy = 0;
            try {
                while (true) {
                    assertThat(answer(in).status()).isEqualTo(200);
                    healthy++;
                }
            } catch (EOFException | SocketException end) {
                // closed
            }
            // All 40 arrived while the poll was held: the first 16 were kept and answered, then the
            // end.
            assertThat(healthy).isEqualTo(16);
        }
    }
}
