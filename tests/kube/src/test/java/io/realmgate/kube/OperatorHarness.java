package io.realmgate.kube;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.RealmgateOperator;
import io.realmgate.operator.client.OperatorClient;
import io.realmgate.operator.tls.OperatorCa;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The operator, in this JVM, against the real API server: the CRDs from the repository's {@code
 * crds/} (what users apply), the operator's namespace, and {@link RealmgateOperator} as Main builds
 * it, on a client as Main builds it.
 */
public final class OperatorHarness implements AutoCloseable {
    public static final String FIELD_MANAGER = "realmgate-kube-tests";

    private final Operator operator;
    private final OperatorSettings settings;
    private final AutoCloseable ownClient;

    private OperatorHarness(Operator operator, OperatorSettings settings, AutoCloseable ownClient) {
        this.operator = operator;
        this.settings = settings;
        this.ownClient = ownClient;
    }

    /** Settings for tests: the defaults, with the CA in namespace {@code realmgate-system}. */
    public static OperatorSettings testSettings() {
        return OperatorSettings.defaults();
    }

    /** The operator with a client of its own as Main builds it ({@link OperatorClient}). */
    public static OperatorHarness start(
            KubeApi api, OperatorSettings settings, Set<String> namespaces) {
        KubernetesClient client = api.newClient(OperatorClient.builder());
        try {
            return start(client, settings, namespaces, o -> {}, client);
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /**
     * @param client the operator's client (a test may count its requests); the caller closes it
     * @param overrides further JOSDK settings, as Main passes its own (metrics, leader election)
     */
    public static OperatorHarness start(
            KubernetesClient client,
            OperatorSettings settings,
            Set<String> namespaces,
            Consumer<ConfigurationServiceOverrider> overrides) {
        return start(client, settings, namespaces, overrides, () -> {});
    }

    private static OperatorHarness start(
            KubernetesClient client,
            OperatorSettings settings,
            Set<String> namespaces,
            Consumer<ConfigurationServiceOverrider> overrides,
            AutoCloseable ownClient) {
        installCrds(client);
        ensureNamespace(client, settings.operatorNamespace());
        Operator operator =
                RealmgateOperator.create(
                        client,
                        settings,
                        new OperatorCa(client, settings, Clock.systemUTC()),
                        namespaces,
                        overrides);
        operator.start();
        return new OperatorHarness(operator, settings, ownClient);
    }

    public OperatorSettings settings() {
        return settings;
    }

    /** The repository's crds/ directory. */
    public static Path crdsDir() {
        return Path.of(System.getProperty("realmgate.crds.dir", "../../crds"))
                .toAbsolutePath()
                .normalize();
    }

    /** Server-side applies every CRD in crds/ and waits until each is served. Idempotent. */
    public static List<CustomResourceDefinition> installCrds(KubernetesClient client) {
        try (Stream<Path> files = Files.list(crdsDir())) {
            List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            if (yamls.isEmpty()) {
                throw new IllegalStateException("no CRDs in " + crdsDir());
            }
            return yamls.stream()
                    .map(
                            p -> {
                                CustomResourceDefinition crd;
                                try (InputStream in = Files.newInputStream(p)) {
                                    crd =
                                            client.getKubernetesSerialization()
                                                    .unmarshal(in, CustomResourceDefinition.class);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                                client.apiextensions()
                                        .v1()
                                        .customResourceDefinitions()
                                        .resource(crd)
                                        .fieldManager(FIELD_MANAGER)
                                        .forceConflicts()
                                        .serverSideApply();
                                return client.apiextensions()
                                        .v1()
                                        .customResourceDefinitions()
                                        .withName(crd.getMetadata().getName())
                                        .waitUntilCondition(
                                                OperatorHarness::established, 60, TimeUnit.SECONDS);
                            })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        // The status appears before its conditions do.
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(
                                c ->
                                        "Established".equals(c.getType())
                                                && "True".equals(c.getStatus()));
    }

    public static void ensureNamespace(KubernetesClient client, String name) {
        client.namespaces()
                .resource(
                        new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .endMetadata()
                                .build())
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    @Override
    public void close() {
        try {
            operator.stop();
        } finally {
            try {
                ownClient.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the operator's client", e);
            }
        }
    }
}
