package io.realmgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.realmgate.e2e.HeadlessChromium;
import io.realmgate.realm.tls.DevelopmentCertificate;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's browser scenario: a page outside the cluster against an exposed realm.
 * examples/realm-nodeport.yaml is applied as a user would; the realm's wss listener is then on node
 * port 31443 of the node's address, with no proxy and no port-forward in between. Java on the host,
 * trusting nothing but the realm's CA bundle, checks that the certificate names that address;
 * headless Chromium on the host opens the realm's demo page there and publishes and receives over
 * wss. The node reports its address as InternalIP, the one address kube-proxy serves node ports on
 * (nodePortAddresses in tests/cluster/up.sh).
 */
@Order(5)
class ExposedRealmOnClusterTest extends ClusterSteps {
    static final String EXAMPLE = "examples/realm-nodeport.yaml";
    static final String NS = "outside";
    static final int NODE_PORT = 31443;

    @TempDir Path tmp;

    /** The node's InternalIP, which the example names among its hostnames. */
    private String nodeAddress() {
        return client.nodes().list().getItems().get(0).getStatus().getAddresses().stream()
                .filter(a -> "InternalIP".equals(a.getType()))
                .map(NodeAddress::getAddress)
                .findFirst()
                .orElseThrow(() -> new AssertionError("the node reports no InternalIP"));
    }

    @Test
    @Order(1)
    void theExampleExposesTheRealmOnTheNodePortAndListsItsEndpoints() {
        kubectl.run("apply", "--server-side", "-f", EXAMPLE).orFail();
        kubectl.run(
                        Duration.ofMinutes(5),
                        "-n",
                        NS,
                        "wait",
                        "--for=condition=Ready",
                        "realm/lobby",
                        "--timeout=4m")
                .orFail();
        kubectl.run(
                        Duration.ofMinutes(2),
                        "-n",
                        NS,
                        "wait",
                        "--for=condition=Exposed",
                        "realm/lobby",
                        "--timeout=90s")
                .orFail();

        String node = nodeAddress();
        String endpoints =
                kubectl.run(
                                "-n",
                                NS,
                                "get",
                                "realm/lobby",
                                "-o",
                                "jsonpath={.status.externalEndpoints}")
                        .orFail()
                        .out();
        assertThat(endpoints)
                .as("the example names the node's address %s", node)
                .contains("wss://" + node + ":" + NODE_PORT + "/realm")
                .contains("wss://lobby.realm.test:" + NODE_PORT + "/realm");
        // What the example's comment tells a user to look at.
        // EXTERNAL: the first endpoint, the first hostname's.
        assertThat(kubectl.run("-n", NS, "get", "rlm", "-o", "wide").orFail().out())
                .contains("EXTERNAL")
                .contains("wss://" + node + ":" + NODE_PORT + "/realm");

        Service external =
                client.services().inNamespace(NS).withName("lobby-realm-external").require();
        assertThat(external.getSpec().getType()).isEqualTo("NodePort");
        assertThat(external.getSpec().getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getNodePort()).isEqualTo(NODE_PORT));
    }

    @Test
    @Order(2)
    void aClientTrustingOnlyTheRealmsCaGetsThePageAtTheNodesAddress() throws Exception {
        String node = nodeAddress();
        ConfigMap bundle = client.configMaps().inNamespace(NS).withName("lobby-realm-ca").require();
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate ca :
                CertificateFactory.getInstance("X.509")
                        .generateCertificates(
                                new ByteArrayInputStream(
                                        bundle.getData()
                                                .get("ca.crt")
                                                .getBytes(StandardCharsets.US_ASCII)))) {
            trust.setCertificateEntry("ca-" + i++, ca);
        }
        TrustManagerFactory factory =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        // The JDK's client checks the server's name against the certificate (here an IP SAN):
        // a certificate without the node's address fails the handshake.
        HttpClient http =
                HttpClient.newBuilder()
                        .sslContext(tls)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
        URI page = URI.create("https://" + node + ":" + NODE_PORT + "/");
        HttpResponse<String> response =
                Awaitility.await("the demo page at " + page)
                        .atMost(90, TimeUnit.SECONDS)
                        .pollInterval(1, TimeUnit.SECONDS)
                        .ignoreExceptions()
                        .until(
                                () ->
                                        http.send(
                                                HttpRequest.newBuilder(page)
                                                        .timeout(Duration.ofSeconds(10))
                                                        .build(),
                                                HttpResponse.BodyHandlers.ofString()),
                                r -> r.statusCode() == 200);
        assertThat(response.body()).contains("id=\"transport\"");
    }

    @Test
    @Order(3)
    void chromiumOnTheHostOpensTheDemoPageOnTheNodePortAndPublishesOverWss() throws Exception {
        String node = nodeAddress();
        // Chromium trusts exactly the realm's key (the issued certificate's), nothing else; the
        // names in the certificate were checked by the previous step.
        Secret tls = client.secrets().inNamespace(NS).withName("lobby-realm-tls").require();
        X509Certificate leaf =
                (X509Certificate)
                        CertificateFactory.getInstance("X.509")
                                .generateCertificate(
                                        new ByteArrayInputStream(
                                                Base64.getDecoder()
                                                        .decode(tls.getData().get("tls.crt"))));
        List<String> sans =
                leaf.getSubjectAlternativeNames().stream()
                        .map(san -> String.valueOf(san.get(1)))
                        .toList();
        assertThat(sans).contains(node, "lobby.realm.test");

        // Proxy port 0: no proxy, the page and its WebSocket go straight to the node port.
        try (HeadlessChromium browser =
                HeadlessChromium.start(
                        0, DevelopmentCertificate.spkiSha256(leaf), tmp.resolve("profile"))) {
            browser.open(
                    "https://"
                            + node
                            + ":"
                            + NODE_PORT
                            + "/?channel=exposed-on-cluster&port="
                            + NODE_PORT
                            + "&secure=true");
            Awaitility.await()
                    .atMost(60, TimeUnit.SECONDS)
                    .pollInterval(250, TimeUnit.MILLISECONDS)
                    .ignoreExceptions()
                    .until(() -> browser.text("#transport"), t -> t.equals("websocket"));
            browser.type("#message", "{\"hello\":\"from outside the cluster\"}");
            browser.click("#send");
            Awaitility.await()
                    .atMost(30, TimeUnit.SECONDS)
                    .pollInterval(200, TimeUnit.MILLISECONDS)
                    .until(
                            () -> browser.eval("return window.realmDemo.acks.length;").asInt(),
                            n -> n == 1);
            long acked = browser.eval("return window.realmDemo.acks[0];").asLong();
            // The page subscribed to its channel, so its own event comes back with the acked id.
            Awaitility.await()
                    .atMost(30, TimeUnit.SECONDS)
                    .pollInterval(200, TimeUnit.MILLISECONDS)
                    .until(
                            () ->
                                    browser.eval("return window.realmDemo.events.map(e => e.id);")
                                            .toString(),
                            ids -> ids.contains(String.valueOf(acked)));
            assertThat(browser.eval("return window.realmDemo.session.transport;").asText())
                    .isEqualTo("websocket");
        }
    }

    @Test
    @Order(4)
    void deletingTheExampleRemovesTheExposure() {
        kubectl.run(
                        Duration.ofMinutes(4),
                        "delete",
                        "-f",
                        EXAMPLE,
                        "--ignore-not-found",
                        "--wait=true",
                        "--timeout=3m")
                .orFail();
        Awaitility.await()
                .atMost(60, TimeUnit.SECONDS)
                .pollInterval(1, TimeUnit.SECONDS)
                .until(
                        () ->
                                client.services()
                                                .inNamespace(NS)
                                                .withName("lobby-realm-external")
                                                .get()
                                        == null);
    }
}
