package io.realmgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.realmgate.e2e.HeadlessChromium;
import io.realmgate.realm.tls.DevelopmentCertificate;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's browser scenario on the real cluster: headless Chromium on this machine, its proxy set
 * to a ForwardProxy reached through {@code kubectl port-forward}, opens the realm's demo page over
 * https and completes a publish/ack round trip over wss. A port-forwarded connection arrives at the
 * proxy from 127.0.0.1 inside its pod, so this ForwardProxy admits exactly that
 * (examples/workstation-proxy.yaml, docs/operator.md).
 */
@ExtendWith(TestCluster.Extension.class)
@Order(2)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BrowserOnClusterTest {
    @TempDir Path tmp;

    @Test
    void chromiumOpensTheDemoPageThroughTheProxyAndPublishesOverWss() throws Exception {
        TestCluster cluster = TestCluster.current();
        Kubectl kubectl = cluster.kubectl;
        kubectl.run("apply", "--server-side", "-f", "examples/workstation-proxy.yaml").orFail();
        kubectl.run(
                        Duration.ofMinutes(3),
                        "-n",
                        "apps",
                        "wait",
                        "--for=condition=Ready",
                        "forwardproxy/workstation",
                        "--timeout=2m")
                .orFail();

        // Chromium trusts exactly the realm's key (the issued certificate's), nothing else.
        Secret tls =
                cluster.client.secrets().inNamespace("apps").withName("prices-realm-tls").require();
        X509Certificate leaf =
                (X509Certificate)
                        CertificateFactory.getInstance("X.509")
                                .generateCertificate(
                                        new ByteArrayInputStream(
                                                Base64.getDecoder()
                                                        .decode(tls.getData().get("tls.crt"))));

        int local;
        try (ServerSocket s = new ServerSocket(0)) {
            local = s.getLocalPort();
        }
        Process forward =
                kubectl.start(
                        tmp.resolve("port-forward.log"),
                        "-n",
                        "apps",
                        "port-forward",
                        "--address=127.0.0.1",
                        "svc/workstation-proxy",
                        local + ":3128");
        try {
            int port = local;
            Awaitility.await()
                    .atMost(30, TimeUnit.SECONDS)
                    .pollInterval(200, TimeUnit.MILLISECONDS)
                    .ignoreExceptions()
                    .until(
                            () -> {
                                try (Socket probe = new Socket("127.0.0.1", port)) {
                                    return true;
                                }
                            });
            try (HeadlessChromium browser =
                    HeadlessChromium.start(
                            local,
                            DevelopmentCertificate.spkiSha256(leaf),
                            tmp.resolve("profile"))) {
                browser.open(
                        "https://prices-realm.apps.svc:9443/?channel=browser-on-cluster&port=9443&secure=true");
                Awaitility.await()
                        .atMost(60, TimeUnit.SECONDS)
                        .pollInterval(250, TimeUnit.MILLISECONDS)
                        .ignoreExceptions()
                        .until(() -> browser.text("#transport"), t -> t.equals("websocket"));
                browser.type("#message", "{\"hello\":\"from chromium on the host\"}");
                browser.click("#send");
                Awaitility.await()
                        .atMost(30, TimeUnit.SECONDS)
                        .pollInterval(200, TimeUnit.MILLISECONDS)
                        .until(
                                () -> browser.eval("return window.realmDemo.acks.length;").asInt(),
                                n -> n == 1);
                long acked = browser.eval("return window.realmDemo.acks[0];").asLong();
                // The page subscribed to its channel, so its own event comes back with the acked
                // id.
                Awaitility.await()
                        .atMost(30, TimeUnit.SECONDS)
                        .pollInterval(200, TimeUnit.MILLISECONDS)
                        .until(
                                () ->
                                        browser.eval(
                                                        "return window.realmDemo.events.map(e => e.id);")
                                                .toString(),
                                ids -> ids.contains(String.valueOf(acked)));
                assertThat(browser.eval("return window.realmDemo.session.transport;").asText())
                        .isEqualTo("websocket");
            }
        } finally {
            forward.destroy();
            forward.waitFor(10, TimeUnit.SECONDS);
            forward.destroyForcibly();
            String log =
                    Files.exists(tmp.resolve("port-forward.log"))
                            ? Files.readString(tmp.resolve("port-forward.log"))
                            : "";
            assertThat(log).doesNotContain("error upgrading connection");
        }
    }
}
