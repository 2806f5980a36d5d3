package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.Channel;
import io.realmgate.realm.config.RealmConfig;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * An exception that is not the peer's doing, raised in the pipeline of a real connection of a
 * running realm (an HTTP request in progress, an open WebSocket): the connection closes, one WARN
 * line names it (never a header), and {@code realmgate_realm_handler_errors_total} counts it on the
 * admin listener. A connection error closes as before, quietly and uncounted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandlerErrorTest {
    private final List<Logger> loggers =
            List.of(
                    (Logger) LoggerFactory.getLogger("io.realmgate.realm.http.HttpRouter"),
                    (Logger) LoggerFactory.getLogger("io.realmgate.realm.ws.WebSocketSession"));
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private RunningRealm realm;

    @BeforeEach
    void start() throws Exception {
        logged.start();
        loggers.forEach(l -> l.addAppender(logged));
        realm = RunningRealm.start(RealmConfig.testing().admin("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        loggers.forEach(l -> l.detachAppender(logged));
        realm.close();
    }

    @Test
    void aDefectInAnHttpConnectionIsLoggedOnceCountedAndClosesIt() throws Exception {
        assertThat(metric()).isEqualTo(0);
        try (Socket client = new Socket("127.0.0.1", realm.ws().getPort())) {
            // A request head in progress, with a credential the log must not show.
            client.getOutputStream()
                    .write(
                            "GET /stream?sub=a HTTP/1.1\r\nAuthorization: Bearer s3cret\r\n"
                                    .getBytes(StandardCharsets.US_ASCII));
            serverSideOfTheOnlyConnection()
                    .pipeline()
                    .fireExceptionCaught(new IllegalStateException("injected defect"));
            assertClosedByTheRealm(client);
        }
        assertThat(metric()).isEqualTo(1);
        assertThat(logged.list).hasSize(1);
        ILoggingEvent line = logged.list.get(0);
        assertThat(line.getLevel()).isEqualTo(Level.WARN);
        assertThat(line.getThrowableProxy().getMessage()).isEqualTo("injected defect");
        assertThat(line.getFormattedMessage())
                .contains("failed on")
                .doesNotContain("s3cret")
                .doesNotContain("Bearer");
    }

    @Test
    void aDefectInAWebSocketIsLoggedCountedAndClosesIt() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(realm.ws())) {
            serverSideOfTheOnlyConnection()
                    .pipeline()
                    .fireExceptionCaught(new NullPointerException("injected"));
            assertThatThrownBy(ws::read)
                    .as("the realm closed the WebSocket's connection")
                    .isInstanceOfAny(EOFException.class, SocketException.class);
        }
        assertThat(metric()).isEqualTo(1);
        assertThat(logged.list).hasSize(1);
        assertThat(logged.list.get(0).getLoggerName())
                .isEqualTo("io.realmgate.realm.ws.WebSocketSession");
    }

    @Test
    void aConnectionErrorIsQuietAndUncounted() throws Exception {
        try (Socket client = new Socket("127.0.0.1", realm.ws().getPort())) {
            serverSideOfTheOnlyConnection()
                    .pipeline()
                    .fireExceptionCaught(new IOException("Connection reset by peer"));
            assertClosedByTheRealm(client);
        }
        assertThat(metric()).isEqualTo(0);
        assertThat(logged.list).isEmpty();
    }

    private Channel serverSideOfTheOnlyConnection() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // Accepted channels join the group before they are registered with their event loop (and so
        // before their
        // pipeline is built); an event fired before that would find no loop.
        while (!onlyRegistered(realm.server().clientChannels()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(onlyRegistered(realm.server().clientChannels()))
                .as("one registered client connection")
                .isTrue();
        return realm.server().clientChannels().iterator().next();
    }

    private static boolean onlyRegistered(Collection<Channel> channels) {
        return channels.size() == 1 && channels.iterator().next().isRegistered();
    }

    private static void assertClosedByTheRealm(Socket client) throws IOException {
        client.setSoTimeout(
                10_000); // a timeout (not a SocketException) fails the test: the connection stayed
        // open
        try {
            assertThat(client.getInputStream().read())
                    .as("end of stream: the realm closed the connection")
                    .isEqualTo(-1);
        } catch (SocketException e) {
            // Closed with bytes of ours still unread on its side: the kernel answers with a reset.
            // Closed too.
            assertThat(e).hasMessageContaining("reset");
        }
    }

    private long metric() throws Exception {
        URI uri =
                URI.create(
                        "http://127.0.0.1:" + realm.server().adminAddress().getPort() + "/metrics");
        String body =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
        return body.lines()
                .filter(l -> l.startsWith("realmgate_realm_handler_errors_total "))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1).trim()))
                .findFirst()
                .orElseThrow(
                        () ->
                                new AssertionError(
                                        "no realmgate_realm_handler_errors_total in\n" + body));
    }
}
