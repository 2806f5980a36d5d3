package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deleting a custom resource deletes its children: kube-controller-manager's garbage collector
 * follows the controller owner references the operator puts on them. The operator itself deletes
 * nothing (no finalizers); a ForwardProxy's deletion leaves the Realm it names, and the Realm's
 * children, alone.
 *
 * <p>Needs {@link KubeApi#requireControllerManager()}: skipped, saying why, where the binaries have
 * no kube-controller-manager.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OwnerDeletionTest {
    private static final String NS = "owner-deletion";
    private static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * The garbage collector learns of resource types that appear after it started (the CRDs,
     * installed by the operator harness) at its next discovery, every 30 s; deletions of the new
     * types reach it after that.
     */
    private static final Duration COLLECTED = Duration.ofSeconds(120);

    private static KubernetesClient client;
    private static OperatorHarness operator;

    @BeforeAll
    static void start(KubeApi api) {
        client = api.client();
        if (api.hasControllerManager()) {
            OperatorHarness.ensureNamespace(client, NS);
            operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        }
    }

    /**
     * Per test, not in {@code @BeforeAll}: Surefire reports a class skipped there as no tests at
     * all.
     */
    @BeforeEach
    void needsTheGarbageCollector(KubeApi api) {
        api.requireControllerManager();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void deletingTheProxyTakesItsChildrenThenDeletingTheRealmTakesTheRealms() {
        Realm realm =
                apply(
                        Realm.class,
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: prices}
        spec:
          webSocket: {port: 9000}
          secureWebSocket: {port: 9443}
        """);
        ForwardProxy proxy =
                apply(
                        ForwardProxy.class,
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: egress}
        spec:
          tls: {enabled: true}
          allowConnect:
            - realm: prices
        """);
        Map<Class<? extends HasMetadata>, String> realmChildren =
                children("prices-realm", "prices-realm-tls", "prices-realm-ca");
        Map<Class<? extends HasMetadata>, String> proxyChildren =
                children("egress-proxy", "egress-proxy-tls", "egress-proxy-config");
        // Two replicas (the default): the budget is a child too.
        proxyChildren.put(PodDisruptionBudget.class, "egress-proxy");
        Map<String, String> realmUids = awaitAll(realmChildren, realm);
        awaitAll(proxyChildren, proxy);

        delete(ForwardProxy.class, "egress");
        await("the ForwardProxy's children collected")
                .atMost(COLLECTED)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(present(proxyChildren)).isEmpty());
        assertThat(client.resources(ForwardProxy.class).inNamespace(NS).withName("egress").get())
                .isNull();
        assertThat(uids(realmChildren))
                .as("the Realm's children: the same objects, untouched by the proxy's deletion")
                .isEqualTo(realmUids);

        delete(Realm.class, "prices");
        await("the Realm's children collected")
                .atMost(COLLECTED)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(present(realmChildren)).isEmpty());
        assertThat(client.resources(Realm.class).inNamespace(NS).withName("prices").get()).isNull();
    }

    @Test
    void aDeletedNamespaceGoesWithTheResourcesInIt() {
        String namespace = "owner-deletion-doomed";
        OperatorHarness.ensureNamespace(client, namespace);
        Realm realm =
                client.getKubernetesSerialization()
                        .unmarshal(
                                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: stranded}
        spec: {}
        """,
                                Realm.class);
        client.resources(Realm.class).inNamespace(namespace).resource(realm).create();

        client.namespaces().withName(namespace).delete();
        // The namespace controller deletes what is in it (the Realm too), then the namespace
        // itself.
        await("namespace " + namespace + " deleted")
                .atMost(COLLECTED)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> client.namespaces().withName(namespace).get() == null);
    }

    /**
     * The children named, by kind: Deployment, Service and NetworkPolicy {@code base}, the Secret,
     * the ConfigMap.
     */
    private static Map<Class<? extends HasMetadata>, String> children(
            String base, String secret, String configMap) {
        Map<Class<? extends HasMetadata>, String> children = new LinkedHashMap<>();
        children.put(Deployment.class, base);
        children.put(Service.class, base);
        children.put(NetworkPolicy.class, base);
        children.put(Secret.class, secret);
        children.put(ConfigMap.class, configMap);
        return children;
    }

    /**
     * Waits for every child, checks it is owned by {@code owner} as its controller, returns the
     * children's UIDs.
     */
    private static Map<String, String> awaitAll(
            Map<Class<? extends HasMetadata>, String> children, HasMetadata owner) {
        await("children of " + owner.getKind() + " " + owner.getMetadata().getName())
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> present(children).size() == children.size());
        for (HasMetadata child : present(children)) {
            assertThat(child.getMetadata().getOwnerReferences())
                    .as("owner of %s %s", child.getKind(), child.getMetadata().getName())
                    .singleElement()
                    .satisfies(
                            o -> {
                                assertThat(o.getKind()).isEqualTo(owner.getKind());
                                assertThat(o.getName()).isEqualTo(owner.getMetadata().getName());
                                assertThat(o.getUid()).isEqualTo(owner.getMetadata().getUid());
                                assertThat(o.getController()).isTrue();
                            });
        }
        return uids(children);
    }

    private static List<HasMetadata> present(Map<Class<? extends HasMetadata>, String> children) {
        return children.entrySet().stream()
                .<HasMetadata>map(
                        e ->
                                client.resources(e.getKey())
                                        .inNamespace(NS)
                                        .withName(e.getValue())
                                        .get())
                .filter(Objects::nonNull)
                .toList();
    }

    private static Map<String, String> uids(Map<Class<? extends HasMetadata>, String> children) {
        Map<String, String> uids = new LinkedHashMap<>();
        present(children)
                .forEach(
                        c ->
                                uids.put(
                                        c.getKind() + "/" + c.getMetadata().getName(),
                                        c.getMetadata().getUid()));
        return uids;
    }

    private static <T extends HasMetadata> T apply(Class<T> type, String yaml) {
        T resource = client.getKubernetesSerialization().unmarshal(yaml, type);
        resource.getMetadata().setNamespace(NS);
        return client.resources(type)
                .inNamespace(NS)
                .resource(resource)
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    private static void delete(Class<? extends HasMetadata> type, String name) {
        assertThat(client.resources(type).inNamespace(NS).withName(name).delete())
                .as("%s %s deleted", type.getSimpleName(), name)
                .hasSize(1);
    }
}
