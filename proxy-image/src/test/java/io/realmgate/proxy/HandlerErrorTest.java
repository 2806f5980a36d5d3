package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An exception that is not the peer's doing, raised in the pipeline of a real client connection of
 * a running proxy: the connection closes, one WARN line names it (never a header), and {@code
 * realmgate_proxy_handler_errors_total} counts it on the admin listener. A reset-like IOException
 * closes just as before, quietly and uncounted.
 */
@Timeout(60)
class HandlerErrorTest {
    private RunningProxy proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void aDefectIsLoggedOnceCountedAndClosesTheConnection() throws Exception {
        proxy = RunningProxy.start("--admin", "127.0.0.1:0");
        assertThat(metric()).isEqualTo(0);
        try (LogCapture log = LogCapture.of("io.realmgate.proxy.http.FrontendHandler");
                Socket client = new Socket("127.0.0.1", proxy.address().getPort())) {
            // A request head in progress, with a credential the log must not show.
            client.getOutputStream()
                    .write(
                            "GET http://127.0.0.1:1/ HTTP/1.1\r\nProxy-Authorization: Basic c2VjcmV0\r\n"
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Channel server = serverSideOfTheOnlyConnection();
            server.pipeline().fireExceptionCaught(new IllegalStateException("injected defect"));

            assertClosedByTheProxy(client);
            List<String> lines = log.awaitLines(1);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0))
                    .contains("failed on")
                    .doesNotContain("c2VjcmV0")
                    .doesNotContain("Basic");
        }
        assertThat(metric()).isEqualTo(1);
    }

    @Test
    void aConnectionErrorIsQuietAndUncounted() throws Exception {
        proxy = RunningProxy.start("--admin", "127.0.0.1:0");
        try (LogCapture log = LogCapture.of("io.realmgate.proxy.http.FrontendHandler");
                Socket client = new Socket("127.0.0.1", proxy.address().getPort())) {
            serverSideOfTheOnlyConnection()
                    .pipeline()
                    .fireExceptionCaught(new IOException("Connection reset by peer"));
            assertClosedByTheProxy(client);
            assertThat(log.awaitLines(0)).isEmpty();
        }
        assertThat(metric()).isEqualTo(0);
    }

    private Channel serverSideOfTheOnlyConnection() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        // Accepted channels join the group before they are registered with their event loop (and so
        // before their
        // pipeline is built); an event fired before that would find no loop.
        while (!onlyRegistered(proxy.server().clientChannels()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(onlyRegistered(proxy.server().clientChannels()))
                .as("one registered client connection")
                .isTrue();
        return proxy.server().clientChannels().iterator().next();
    }

    private static boolean onlyRegistered(java.util.Collection<Channel> channels) {
        return channels.size() == 1 && channels.iterator().next().isRegistered();
    }

    private static void assertClosedByTheProxy(Socket client) throws IOException {
        client.setSoTimeout(10_000);
        InputStream in = client.getInputStream();
        try {
            assertThat(in.read())
                    .as("end of stream: the proxy closed the connection")
                    .isEqualTo(-1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the proxy kept the connection open", e);
        } catch (SocketException e) {
            // Closed with bytes of ours still unread on its side: the kernel answers with a reset.
            // Closed too.
            assertThat(e).hasMessageContaining("reset");
        }
    }

    private long metric() throws Exception {
        int port = proxy.server().adminAddress().orElseThrow().getPort();
        HttpClient http = HttpClient.newHttpClient();
        {
            String body =
                    http.send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + port
                                                                    + "/metrics"))
                                            .timeout(Duration.ofSeconds(10))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();
            return body.lines()
                    .filter(l -> l.startsWith("realmgate_proxy_handler_errors_total "))
                    .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1).trim()))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new AssertionError(
                                            "no realmgate_proxy_handler_errors_total in\n" + body));
        }
    }
}
