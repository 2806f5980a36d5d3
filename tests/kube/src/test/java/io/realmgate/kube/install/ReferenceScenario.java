package io.realmgate.kube.install;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.kube.RealmgateResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * examples/reference-scenario.yaml, as users apply it, moved into namespaces of a test's own: the
 * example's namespaces "apps" (realm and proxy) and "trading" (the clients) are renamed wherever
 * the file names them (Namespace objects, metadata.namespace, the proxy's namespaceSelector),
 * nothing else changes. The file's RoleBinding, which lets the operator use the Secrets of "apps",
 * names the default install's ClusterRole and ServiceAccount; {@link #forRelease} renames those
 * too.
 */
final class ReferenceScenario {
    static final String REALM = "prices";
    static final String PROXY = "egress";

    /** Every child the operator makes for the scenario, as "Kind name". */
    static final List<String> CHILDREN =
            List.of(
                    "Deployment prices-realm",
                    "Service prices-realm",
                    "NetworkPolicy prices-realm",
                    "Secret prices-realm-tls",
                    "ConfigMap prices-realm-ca",
                    "Deployment egress-proxy",
                    "Service egress-proxy",
                    "NetworkPolicy egress-proxy",
                    "ConfigMap egress-proxy-config",
                    // Two proxy replicas: a drain takes one at a time.
                    "PodDisruptionBudget egress-proxy");

    final String apps;
    final String trading;
    private final List<GenericKubernetesResource> objects;

    ReferenceScenario(String apps, String trading) {
        this(apps, trading, Map.of());
    }

    /**
     * The scenario for another install than the default one ({@code helm install realmgate ... -n
     * realmgate-system}): its RoleBinding grants ClusterRole {@code secretsRole} to ServiceAccount
     * {@code operatorNamespace/serviceAccount}.
     */
    static ReferenceScenario forRelease(
            String apps,
            String trading,
            String secretsRole,
            String operatorNamespace,
            String serviceAccount) {
        return new ReferenceScenario(
                apps,
                trading,
                Map.of(
                        "realmgate-secrets",
                        secretsRole,
                        "realmgate-system",
                        operatorNamespace,
                        "realmgate-operator",
                        serviceAccount));
    }

    private ReferenceScenario(String apps, String trading, Map<String, String> installNames) {
        this.apps = apps;
        this.trading = trading;
        String yaml;
        try {
            yaml = Files.readString(Repo.referenceScenario());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> renames = new HashMap<>(installNames);
        renames.put("apps", apps);
        renames.put("trading", trading);
        this.objects = Manifests.parse(yaml).all().stream().map(o -> rename(o, renames)).toList();
    }

    List<GenericKubernetesResource> objects() {
        return objects;
    }

    /**
     * Namespaces first, then the grant and the custom resources, server-side applied as the admin
     * (the user).
     */
    void apply(KubernetesClient admin) {
        applyWithoutTheGrant(admin);
        applyTheGrant(admin);
    }

    /**
     * Everything but the RoleBinding that lets the operator use the Secrets of the apps namespace.
     */
    void applyWithoutTheGrant(KubernetesClient admin) {
        for (GenericKubernetesResource o : objects) {
            if ("Namespace".equals(o.getKind())) {
                OperatorHarness.ensureNamespace(admin, o.getMetadata().getName());
            }
        }
        for (GenericKubernetesResource o : objects) {
            if (!"Namespace".equals(o.getKind()) && !"RoleBinding".equals(o.getKind())) {
                admin.resource(o)
                        .fieldManager("reference-scenario")
                        .forceConflicts()
                        .serverSideApply();
            }
        }
    }

    /** The RoleBinding that lets the operator use the Secrets of the apps namespace. */
    void applyTheGrant(KubernetesClient admin) {
        GenericKubernetesResource grant =
                objects.stream()
                        .filter(o -> "RoleBinding".equals(o.getKind()))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "no RoleBinding in " + Repo.referenceScenario()));
        admin.resource(grant).fieldManager("reference-scenario").forceConflicts().serverSideApply();
    }

    /** Which of {@link #CHILDREN} exist in the apps namespace. */
    List<String> existingChildren(KubernetesClient client) {
        List<String> found = new ArrayList<>();
        for (String child : CHILDREN) {
            String[] kindName = child.split(" ");
            HasMetadata o =
                    switch (kindName[0]) {
                        case "Deployment" ->
                                client.apps()
                                        .deployments()
                                        .inNamespace(apps)
                                        .withName(kindName[1])
                                        .get();
                        case "Service" ->
                                client.services().inNamespace(apps).withName(kindName[1]).get();
                        case "NetworkPolicy" ->
                                client.network()
                                        .networkPolicies()
                                        .inNamespace(apps)
                                        .withName(kindName[1])
                                        .get();
                        case "Secret" ->
                                client.secrets().inNamespace(apps).withName(kindName[1]).get();
                        case "ConfigMap" ->
                                client.configMaps().inNamespace(apps).withName(kindName[1]).get();
                        case "PodDisruptionBudget" ->
                                client.policy()
                                        .v1()
                                        .podDisruptionBudget()
                                        .inNamespace(apps)
                                        .withName(kindName[1])
                                        .get();
                        default -> throw new IllegalArgumentException(child);
                    };
            if (o != null) {
                found.add(child);
            }
        }
        return found;
    }

    void awaitChildren(KubernetesClient client, Duration atMost) {
        await("the reference scenario's children in " + apps)
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> existingChildren(client), found -> found.size() == CHILDREN.size());
    }

    /**
     * What the Deployment controller would report once the pods run (there is no controller
     * manager, so no pods): every replica of the current generation updated, ready and available.
     */
    void markDeploymentsAvailable(KubernetesClient admin) {
        for (String name : List.of(REALM + "-realm", PROXY + "-proxy")) {
            admin.apps()
                    .deployments()
                    .inNamespace(apps)
                    .withName(name)
                    .editStatus(
                            d -> {
                                int replicas = d.getSpec().getReplicas();
                                return new DeploymentBuilder(d)
                                        .withNewStatus()
                                        .withObservedGeneration(d.getMetadata().getGeneration())
                                        .withReplicas(replicas)
                                        .withUpdatedReplicas(replicas)
                                        .withReadyReplicas(replicas)
                                        .withAvailableReplicas(replicas)
                                        .addNewCondition()
                                        .withType("Available")
                                        .withStatus("True")
                                        .withReason("MinimumReplicasAvailable")
                                        .endCondition()
                                        .endStatus()
                                        .build();
                            });
        }
    }

    /** The Realm or ForwardProxy as the API server has it now. */
    GenericKubernetesResource get(KubernetesClient client, String kind) {
        var context =
                "Realm".equals(kind) ? RealmgateResources.REALM : RealmgateResources.FORWARD_PROXY;
        return client.genericKubernetesResources(context)
                .inNamespace(apps)
                .withName("Realm".equals(kind) ? REALM : PROXY)
                .get();
    }

    /** The status condition of that type, as a map, or null. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> condition(GenericKubernetesResource o, String type) {
        if (o == null || !(o.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
            return null;
        }
        Object conditions = status.get("conditions");
        if (!(conditions instanceof List<?> list)) {
            return null;
        }
        return list.stream()
                .map(c -> (Map<String, Object>) c)
                .filter(c -> type.equals(c.get("type")))
                .findFirst()
                .orElse(null);
    }

    static boolean conditionIs(GenericKubernetesResource o, String type, String status) {
        Map<String, Object> c = condition(o, type);
        return c != null && status.equals(c.get("status"));
    }

    @SuppressWarnings("unchecked")
    private static GenericKubernetesResource rename(
            GenericKubernetesResource o, Map<String, String> renames) {
        Map<String, Object> tree = Manifests.JSON.convertValue(o, Map.class);
        return Manifests.JSON.convertValue(renamed(tree, renames), GenericKubernetesResource.class);
    }

    @SuppressWarnings("unchecked")
    private static Object renamed(Object value, Map<String, String> renames) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put((String) k, renamed(v, renames)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> renamed(v, renames)).toList();
        }
        if (value instanceof String s) {
            return renames.getOrDefault(s, s);
        }
        return value;
    }
}
