package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.ops.RealmMetrics;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * --max-streams, --max-polls (total and per address) and --replay-rate on the fallback transports.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FallbackLimitsTest {

    /** A raw HTTP/1.1 connection from a chosen loopback address, reading answers byte by byte. */
    private static final class Http implements AutoCloseable {
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;

        Http(InetSocketAddress server, String from) throws Exception {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(server, 5000);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        Http get(String target) throws Exception {
            out.write(
                    ("GET " + target + " HTTP/1.1\r\nHost: realm\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return this;
        }

        String line() throws Exception {
            return HttpLines.line(in);
        }

        /**
         * The status code of the next answer; its body is read too when it has a length (not a
         * stream's).
         */
        int status() throws Exception {
            String status = line();
            int length = 0;
            for (String h = line(); !h.isEmpty(); h = line()) {
                if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            in.readNBytes(length);
            return Integer.parseInt(status.split(" ")[1]);
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    @Test
    void eventStreamsBeyondTheirCapsAreRefusedWith503AndCounted() throws Exception {
        try (RunningRealm realm = RunningRealm.start(RealmConfig.testing().maxStreams(3, 2))) {
            List<Http> held = new ArrayList<>();
            try {
                held.add(new Http(realm.ws(), "127.0.0.1").get("/stream?sub=caps"));
                held.add(new Http(realm.ws(), "127.0.0.1").get("/stream?sub=caps"));
                for (Http h : held) {
                    assertThat(h.status()).isEqualTo(200);
                }
                try (Http third = new Http(realm.ws(), "127.0.0.1").get("/stream?sub=caps")) {
                    assertThat(third.status()).as("per address").isEqualTo(503);
                }
                Http other = new Http(realm.ws(), "127.0.0.2").get("/stream?sub=caps");
                held.add(other);
                assertThat(other.status()).isEqualTo(200);
                try (Http fourth = new Http(realm.ws(), "127.0.0.3").get("/stream?sub=caps")) {
                    assertThat(fourth.status()).as("in total").isEqualTo(503);
                }
                assertThat(realm.server().metrics().fallbackRefused(RealmMetrics.Transport.STREAM))
                        .isEqualTo(2);
                assertThat(realm.server().metrics().render())
                        .contains(
                                "realmgate_realm_fallback_refused_total{transport=\"stream\",cap=\"total\"} 1")
                        .contains(
                                "realmgate_realm_fallback_refused_total{transport=\"stream\",cap=\"per-client\"} 1")
                        .contains(
                                "realmgate_realm_http_refusals_total{reason=\"stream-cap\",status=\"503\"} 2");
                // A closed stream gives its place back.
                held.remove(0).close();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                int status;
                do {
                    try (Http again = new Http(realm.ws(), "127.0.0.1").get("/stream?sub=caps")) {
                        status = again.status();
                    }
                } while (status != 200 && System.nanoTime() < deadline && sleep());
                assertThat(status).isEqualTo(200);
            } finally {
                for (Http h : held) {
                    h.close();
                }
            }
        }
    }

    @Test
    void longPollsBeyondTheirCapsAreRefusedWith503AndCounted() throws Exception {
        try (RunningRealm realm = RunningRealm.start(RealmConfig.testing().maxPolls(3, 2))) {
            List<Http> held = new ArrayList<>();
            try {
                // Held polls: nothing is published on the channel within their 20 seconds.
                held.add(new Http(realm.ws(), "127.0.0.1").get("/poll?sub=caps&wait=20"));
                held.add(new Http(realm.ws(), "127.0.0.1").get("/poll?sub=caps&wait=20"));
                waitFor(
                        () ->
                                realm.server()
                                                .metrics()
                                                .openConnections(RealmMetrics.Transport.LONGPOLL)
                                        == 2);
                try (Http h = new Http(realm.ws(), "127.0.0.1").get("/poll?sub=caps&wait=0")) {
                    assertThat(h.status()).as("per address").isEqualTo(503);
                    // The refusal leaves the connection usable.
                    assertThat(h.get("/healthz").status()).isEqualTo(200);
                }
                held.add(new Http(realm.ws(), "127.0.0.2").get("/poll?sub=caps&wait=20"));
                waitFor(
                        () ->
                                realm.server()
                                                .metrics()
                                                .openConnections(RealmMetrics.Transport.LONGPOLL)
                                        == 3);
                try (Http h = new Http(realm.ws(), "127.0.0.3").get("/poll?sub=caps&wait=0")) {
                    assertThat(h.status()).as("in total").isEqualTo(503);
                }
                assertThat(
                                realm.server()
                                        .metrics()
                                        .fallbackRefused(RealmMetrics.Transport.LONGPOLL))
                        .isEqualTo(2);
                assertThat(realm.server().metrics().render())
                        .contains(
                                "realmgate_realm_fallback_refused_total{transport=\"longpoll\",cap=\"total\"} 1")
                        .contains(
                                "realmgate_realm_fallback_refused_total{transport=\"longpoll\",cap=\"per-client\"} 1")
                        .contains(
                                "realmgate_realm_http_refusals_total{reason=\"poll-cap\",status=\"503\"} 2");
                held.remove(0).close();
                waitFor(
                        () ->
                                realm.server()
                                                .metrics()
                                                .openConnections(RealmMetrics.Transport.LONGPOLL)
                                        == 2);
                try (Http h = new Http(realm.ws(), "127.0.0.3").get("/poll?sub=caps&wait=0")) {
                    assertThat(h.status()).isEqualTo(200);
                }
            } finally {
                for (Http h : held) {
                    h.close();
                }
            }
        }
    }

    @Test
    void replaysOverStreamsAndPollsShareOneBudgetPerAddress() throws Exception {
        try (RunningRealm realm =
                        RunningRealm.start(RealmConfig.testing().retainEvents(100).replayRate(20));
                RawWebSocket pub = RawWebSocket.open(realm.ws())) {
            for (int i = 0; i < 30; i++) {
                pub.sendText("{\"op\":\"publish\",\"channel\":\"replay-http\",\"data\":" + i + "}");
                assertThat(pub.readText()).contains("ack");
            }
            try (Http h = new Http(realm.ws(), "127.0.0.1")) {
                assertThat(h.get("/poll?sub=replay-http:0&wait=0").status()).isEqualTo(200);
            }
            // The 30 replayed events spent the address's budget of 20 per second: on a new
            // connection too.
            try (Http h = new Http(realm.ws(), "127.0.0.1")) {
                assertThat(h.get("/poll?sub=replay-http:0&wait=0").status()).isEqualTo(429);
                assertThat(h.get("/stream?sub=replay-http:0").status()).isEqualTo(429);
                // Live only is not a replay.
                assertThat(h.get("/poll?sub=replay-http&wait=0").status()).isEqualTo(200);
            }
            // Another address has its own budget.
            try (Http h = new Http(realm.ws(), "127.0.0.2")) {
                assertThat(h.get("/stream?sub=replay-http:0").status()).isEqualTo(200);
            }
            assertThat(realm.server().metrics().replaysRefused()).isEqualTo(2);
            assertThat(realm.server().metrics().httpRefusals(RealmMetrics.HttpRefusal.REPLAY_RATE))
                    .isEqualTo(2);
            // 30 events at 20 per second: about a second and a half later the budget is back.
            Thread.sleep(1700);
            try (Http h = new Http(realm.ws(), "127.0.0.1")) {
                assertThat(h.get("/poll?sub=replay-http:0&wait=0").status()).isEqualTo(200);
            }
        }
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(50);
        return true;
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
