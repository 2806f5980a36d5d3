package io.realmgate.kube.monitoring;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.realmgate.operator.ops.OperatorMetrics;
import io.realmgate.proxy.ProxyServer;
import io.realmgate.proxy.config.CommandLine;
import io.realmgate.realm.RealmServer;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.tests.peers.TestCertificates;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names the three programs really expose: a realm (with wss, so its certificate series
 * is there) and a proxy (with its TLS listener) started in this JVM on loopback and scraped over
 * HTTP, and the operator's registry ({@link OperatorMetrics}) with JOSDK's own metrics driven
 * through JOSDK's {@link Metrics} interface, as its reconciler loop does: one success, one failure
 * and one timed reconciliation, so that its lazily registered series exist. Names are read from the
 * {@code # TYPE} lines; a histogram stands for its {@code _bucket}, {@code _sum} and {@code _count}
 * series.
 */
public final class ExposedMetrics {
    private static final Pattern TYPE_LINE =
            Pattern.compile("(?m)^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\\w+)$");

    private ExposedMetrics() {}

    /** Every exposed name, scraped now; the processes it starts are closed before it returns. */
    public static Set<String> names(Path scratch) throws Exception {
        Set<String> names = new TreeSet<>();
        names.addAll(namesIn(realmScrape()));
        names.addAll(namesIn(proxyScrape(scratch)));
        names.addAll(namesIn(operatorScrape()));
        return names;
    }

    static Set<String> namesIn(String exposition) {
        Set<String> names = new TreeSet<>();
        Matcher m = TYPE_LINE.matcher(exposition);
        while (m.find()) {
            String name = m.group(1);
            names.add(name);
            if (m.group(2).equals("histogram")) {
                names.add(name + "_bucket");
                names.add(name + "_sum");
                names.add(name + "_count");
            }
        }
        return names;
    }

    private static String realmScrape() throws Exception {
        RealmServer realm =
                new RealmServer(RealmConfig.testing().wssPort(0).selfSigned(true).build()).start();
        try {
            return get(realm.wsAddress(), "/metrics");
        } finally {
            realm.close();
        }
    }

    private static String proxyScrape(Path scratch) throws Exception {
        Path cert = scratch.resolve("proxy-tls.crt");
        Path key = scratch.resolve("proxy-tls.key");
        Files.writeString(cert, TestCertificates.get().server().getCertificatePEM());
        Files.writeString(key, TestCertificates.get().server().getPrivateKeyPEM());
        ProxyServer proxy =
                new ProxyServer(
                                CommandLine.parse(
                                        "--listen",
                                        "127.0.0.1:0",
                                        "--admin",
                                        "127.0.0.1:0",
                                        "--tls-cert",
                                        cert.toString(),
                                        "--tls-key",
                                        key.toString(),
                                        "--allow-connect",
                                        "127.0.0.1:1"))
                        .start();
        try {
            return get(proxy.adminAddress().orElseThrow(), "/metrics");
        } finally {
            proxy.close();
        }
    }

    private static String operatorScrape() throws Exception {
        try (OperatorMetrics metrics = new OperatorMetrics()) {
            metrics.caExpiry(() -> Instant.now().plus(Duration.ofDays(3650)));
            Metrics josdk = metrics.josdk();
            GenericKubernetesResource realm = new GenericKubernetesResource();
            realm.setApiVersion("realmgate.io/v1alpha1");
            realm.setKind("Realm");
            realm.setMetadata(
                    new ObjectMetaBuilder().withName("metered").withNamespace("apps").build());
            josdk.finishedReconciliation(realm, Map.of());
            josdk.failedReconciliation(realm, new IllegalStateException("refused"), Map.of());
            josdk.timeControllerExecution(
                    new Metrics.ControllerExecution<String>() {
                        @Override
                        public String name() {
                            return "reconcile";
                        }

                        @Override
                        public String controllerName() {
                            return "realm";
                        }

                        @Override
                        public String successTypeName(String result) {
                            return "status";
                        }

                        @Override
                        public ResourceID resourceID() {
                            return ResourceID.fromResource(realm);
                        }

                        @Override
                        public Map<String, Object> metadata() {
                            return Map.of();
                        }

                        @Override
                        public String execute() {
                            return "done";
                        }
                    });
            return metrics.scrape();
        }
    }

    private static String get(InetSocketAddress address, String path) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + address.getPort() + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
