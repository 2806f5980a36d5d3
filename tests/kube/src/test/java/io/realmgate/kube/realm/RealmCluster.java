package io.realmgate.kube.realm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.status.Conditions;
import io.realmgate.realm.config.ConfigException;
import io.realmgate.realm.config.RealmConfigDocument;
import io.realmgate.realm.config.RealmConfigFiles;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The Realm side of the operator as a test sees it through the API server: apply Realms and
 * ForwardProxies as a user would (server-side apply of YAML), read the children back, wait for the
 * operator.
 */
final class RealmCluster {
    static final Duration WAIT = Duration.ofSeconds(60);

    private final KubernetesClient client;
    private final String namespace;

    RealmCluster(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    KubernetesClient client() {
        return client;
    }

    Realm apply(String yaml) {
        Realm realm = client.getKubernetesSerialization().unmarshal(yaml, Realm.class);
        realm.getMetadata().setNamespace(namespace);
        return client.resources(Realm.class)
                .inNamespace(namespace)
                .resource(realm)
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    ForwardProxy applyProxy(String yaml) {
        ForwardProxy proxy =
                client.getKubernetesSerialization().unmarshal(yaml, ForwardProxy.class);
        proxy.getMetadata().setNamespace(namespace);
        return client.resources(ForwardProxy.class)
                .inNamespace(namespace)
                .resource(proxy)
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    Realm realm(String name) {
        return client.resources(Realm.class).inNamespace(namespace).withName(name).get();
    }

    Deployment deployment(String realm) {
        return client.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(realm + Names.REALM_SUFFIX)
                .get();
    }

    Service service(String realm) {
        return client.services().inNamespace(namespace).withName(realm + Names.REALM_SUFFIX).get();
    }

    NetworkPolicy networkPolicy(String realm) {
        return client.network()
                .v1()
                .networkPolicies()
                .inNamespace(namespace)
                .withName(realm + Names.REALM_SUFFIX)
                .get();
    }

    Secret tlsSecret(String realm) {
        return secret(realm + Names.REALM_SUFFIX + "-tls");
    }

    Secret secret(String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    ConfigMap caBundle(String realm) {
        return client.configMaps()
                .inNamespace(namespace)
                .withName(realm + Names.REALM_SUFFIX + "-ca")
                .get();
    }

    /** ConfigMap {@code <realm>-realm-config}: the rendered realm.yaml. */
    ConfigMap configMap(String realm) {
        return client.configMaps()
                .inNamespace(namespace)
                .withName(realm + Names.REALM_SUFFIX + "-config")
                .get();
    }

    PodDisruptionBudget disruptionBudget(String realm) {
        return client.policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(namespace)
                .withName(realm + Names.REALM_SUFFIX)
                .get();
    }

    /** The realm.yaml the operator rendered for the realm, as the realm's own parser reads it. */
    RealmConfigDocument config(String realm) {
        ConfigMap map = configMap(realm);
        assertThat(map).as("ConfigMap of realm " + realm).isNotNull();
        try {
            return RealmConfigFiles.parse(map.getData().get("realm.yaml"), "realm.yaml").document();
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /**
     * The settings of the realm's rendered config as the flags the realm reads them with, in the
     * file's order: {@code [--flag, value, …]}, a list as one comma-separated value.
     */
    List<String> settings(String realm) {
        List<String> out = new ArrayList<>();
        for (RealmConfigDocument.Setting s : config(realm).settings()) {
            out.add(s.flag());
            out.add(
                    s.value() instanceof List<?> list
                            ? String.join(",", list.stream().map(Object::toString).toList())
                            : s.value().toString());
        }
        return out;
    }

    /**
     * Every child of a Realm by kind (the CA bundle is "ConfigMap", the config "ConfigMap/config");
     * absent children are left out.
     */
    Map<String, HasMetadata> children(String realm) {
        Map<String, HasMetadata> children = new LinkedHashMap<>();
        children.put("Deployment", deployment(realm));
        children.put("Service", service(realm));
        children.put("NetworkPolicy", networkPolicy(realm));
        children.put("Secret", tlsSecret(realm));
        children.put("ConfigMap", caBundle(realm));
        children.put("ConfigMap/config", configMap(realm));
        children.put("PodDisruptionBudget", disruptionBudget(realm));
        children.values().removeIf(Objects::isNull);
        return children;
    }

    Map<String, String> resourceVersions(String realm) {
        Map<String, String> versions = new LinkedHashMap<>();
        children(realm)
                .forEach(
                        (kind, child) ->
                                versions.put(kind, child.getMetadata().getResourceVersion()));
        return versions;
    }

    /** Waits until the Realm's status satisfies {@code test}, and returns the Realm. */
    Realm awaitRealm(String name, String what, Predicate<Realm> test) {
        return await(what)
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> realm(name), r -> r != null && r.getStatus() != null && test.test(r));
    }

    /**
     * Waits until the Realm has been reconciled for its current generation (status written for it).
     */
    Realm awaitObserved(String name) {
        return awaitRealm(
                name,
                "status for the current generation of " + name,
                r ->
                        r.getStatus().observedGeneration != null
                                && r.getStatus()
                                        .observedGeneration
                                        .equals(r.getMetadata().getGeneration())
                                && Conditions.find(r.getStatus().conditions, Conditions.READY)
                                        != null);
    }

    /**
     * Waits until the operator is done with a Realm: observed, and its children unchanged for two
     * seconds.
     */
    Map<String, String> awaitSettled(String name) {
        awaitObserved(name);
        List<Map<String, String>> last = new ArrayList<>(List.of(resourceVersions(name)));
        await("children of " + name + " stop changing")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> {
                            Map<String, String> now = resourceVersions(name);
                            boolean same = now.equals(last.get(0));
                            last.set(0, now);
                            return same;
                        });
        Map<String, String> settled = resourceVersions(name);
        await("children of " + name + " stay unchanged")
                .during(Duration.ofSeconds(2))
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> resourceVersions(name).equals(settled));
        return settled;
    }

    static Condition condition(Realm realm, String type) {
        return Conditions.find(realm.getStatus().conditions, type);
    }

    static boolean is(Realm realm, String type, String status, String reason) {
        Condition c = condition(realm, type);
        return c != null && status.equals(c.getStatus()) && reason.equals(c.getReason());
    }

    /**
     * What the Deployment controller would report once the pods run (it does not run here, and
     * there is no kubelet): every replica updated, ready and available for the current generation.
     */
    void markAvailable(String realm) {
        client.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(realm + Names.REALM_SUFFIX)
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
                                    .endStatus()
                                    .build();
                        });
    }

    /**
     * The Deployment's spec generation: it moves when the pod template (or anything else in the
     * spec) changes, that is when the pods would roll.
     */
    static long generation(Deployment deployment) {
        return deployment.getMetadata().getGeneration();
    }

    /**
     * The realm's Deployment keeps its spec (its pods would not roll) for a few seconds, long
     * enough for the reconciles that a change just set off.
     */
    void assertNoRoll(String realm, long generation, String why) {
        await(why)
                .during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(10))
                .until(() -> generation(deployment(realm)), g -> g == generation);
    }

    /** The Secret the realm pods mount at /etc/realmgate/tls. */
    static String tlsVolumeSecret(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> "tls".equals(v.getName()))
                .findFirst()
                .orElseThrow()
                .getSecret()
                .getSecretName();
    }

    static String decode(Secret secret, String key) {
        assertThat(secret.getData()).containsKey(key);
        return new String(
                Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
    }

    static List<X509Certificate> certificates(String pem) {
        try {
            Collection<? extends Certificate> all =
                    CertificateFactory.getInstance("X.509")
                            .generateCertificates(
                                    new ByteArrayInputStream(
                                            pem.getBytes(StandardCharsets.US_ASCII)));
            return all.stream().map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            throw new AssertionError("not PEM certificates: " + e.getMessage(), e);
        }
    }

    static List<String> dnsNames(X509Certificate certificate) {
        try {
            return certificate.getSubjectAlternativeNames().stream()
                    .filter(san -> Integer.valueOf(2).equals(san.get(0)))
                    .map(san -> (String) san.get(1))
                    .toList();
        } catch (CertificateParsingException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The owner reference a child must carry: its Realm, as controller, blocking the Realm's
     * foreground deletion.
     */
    static void assertOwnedBy(HasMetadata child, Realm realm) {
        assertThat(child.getMetadata().getOwnerReferences())
                .as("owner of %s", child.getMetadata().getName())
                .singleElement()
                .satisfies(
                        owner -> {
                            assertThat(owner.getApiVersion()).isEqualTo("realmgate.io/v1alpha1");
                            assertThat(owner.getKind()).isEqualTo("Realm");
                            assertThat(owner.getName()).isEqualTo(realm.getMetadata().getName());
                            assertThat(owner.getUid()).isEqualTo(realm.getMetadata().getUid());
                            assertThat(owner.getController()).as("controller").isTrue();
                            assertThat(owner.getBlockOwnerDeletion())
                                    .as("blockOwnerDeletion")
                                    .isTrue();
                        });
    }
}
