package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.api.TargetSpec;
import io.realmgate.operator.proxy.TargetResolution;
import io.realmgate.operator.status.Conditions;
import io.realmgate.proxy.access.TargetRule;
import io.realmgate.proxy.config.ConfigFiles;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The ForwardProxy side of the operator as a test sees it through the API server (the counterpart
 * of the realm tests' {@code RealmCluster}): create ForwardProxies, the Realms they name and the
 * Secrets they use, read the children back, wait for the operator, and stand in for the Deployment
 * controller this control plane lacks.
 */
final class ProxyCluster {
    static final Duration WAIT = Duration.ofSeconds(60);

    private final KubernetesClient client;
    private final String namespace;

    ProxyCluster(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    KubernetesClient client() {
        return client;
    }

    String namespace() {
        return namespace;
    }

    // ---- creating what a user would ----

    /** A Realm with these client ports; the proxy reads only its spec. */
    Realm createRealm(String name, int ws, int wss) {
        Realm realm = new Realm();
        realm.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        RealmSpec spec = new RealmSpec();
        spec.webSocket.port = ws;
        spec.secureWebSocket.port = wss;
        realm.setSpec(spec);
        return client.resources(Realm.class).inNamespace(namespace).resource(realm).create();
    }

    ForwardProxy createProxy(String name, Consumer<ForwardProxySpec> spec) {
        ForwardProxy proxy = new ForwardProxy();
        proxy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        ForwardProxySpec s = new ForwardProxySpec();
        spec.accept(s);
        proxy.setSpec(s);
        return client.resources(ForwardProxy.class).inNamespace(namespace).resource(proxy).create();
    }

    /** A Secret with these (plain text) values and a label of the user's own. */
    void createSecret(String name, Map<String, String> plain) {
        Map<String, String> data = new LinkedHashMap<>();
        plain.forEach((k, v) -> data.put(k, base64(v)));
        Secret secret =
                new SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .addToLabels("app", "users")
                        .endMetadata()
                        .withData(data)
                        .build();
        client.secrets().inNamespace(namespace).resource(secret).create();
    }

    /** An {@code allowConnect} entry naming a realm; no ports: the realm's wss port. */
    static TargetSpec realmTarget(String realm, Integer... ports) {
        TargetSpec t = new TargetSpec();
        t.realm = realm;
        t.ports = ports.length == 0 ? null : List.of(ports);
        return t;
    }

    /** The proxy rules a realm target becomes: every name of the realm's Service, per port. */
    List<String> realmRules(String realm, int... ports) {
        List<String> rules = new ArrayList<>();
        for (int port : ports) {
            TargetResolution.realmHosts(
                            realm, namespace, OperatorSettings.defaults().clusterDomain())
                    .forEach(host -> rules.add(host + ":" + port));
        }
        return rules;
    }

    // ---- reading back ----

    ForwardProxy proxy(String name) {
        return client.resources(ForwardProxy.class).inNamespace(namespace).withName(name).get();
    }

    <T extends HasMetadata> T child(Class<T> type, String name) {
        return client.resources(type).inNamespace(namespace).withName(name).get();
    }

    <T extends HasMetadata> T awaitChild(Class<T> type, String name) {
        return await("%s %s".formatted(type.getSimpleName(), name))
                .atMost(WAIT)
                .until(() -> child(type, name), Objects::nonNull);
    }

    ForwardProxy awaitStatus(String name, Predicate<ForwardProxy> condition) {
        return await("status of ForwardProxy " + name)
                .atMost(WAIT)
                .until(
                        () -> proxy(name),
                        p -> p != null && p.getStatus() != null && condition.test(p));
    }

    /**
     * Waits until the proxy's ConfigMap, read by the proxy's own parser, holds exactly these rules.
     */
    void awaitRules(String proxy, List<String> rules) {
        List<TargetRule> expected = rules.stream().map(TargetRule::parse).toList();
        await("rules of " + proxy)
                .atMost(WAIT)
                .untilAsserted(
                        () -> {
                            ConfigMap cm = child(ConfigMap.class, proxy + "-proxy-config");
                            assertThat(cm).isNotNull();
                            assertThat(
                                            ConfigFiles.parse(
                                                            cm.getData().get("proxy.yaml"),
                                                            "proxy.yaml")
                                                    .toConfig()
                                                    .allowConnect())
                                    .containsExactlyElementsOf(expected);
                        });
    }

    /** resourceVersion of the proxy's children, by kind. */
    Map<String, String> versions(String proxy) {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put(
                "ConfigMap",
                child(ConfigMap.class, proxy + "-proxy-config").getMetadata().getResourceVersion());
        versions.put(
                "Deployment",
                child(Deployment.class, proxy + "-proxy").getMetadata().getResourceVersion());
        versions.put(
                "Service",
                child(Service.class, proxy + "-proxy").getMetadata().getResourceVersion());
        versions.put(
                "NetworkPolicy",
                child(NetworkPolicy.class, proxy + "-proxy").getMetadata().getResourceVersion());
        return versions;
    }

    /**
     * The Deployment's spec generation: it moves when the pod template changes, that is when pods
     * would roll.
     */
    long deploymentGeneration(String deployment) {
        return child(Deployment.class, deployment).getMetadata().getGeneration();
    }

    /** The Warning Events recorded on a ForwardProxy. */
    List<Event> warnings(String proxy) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(
                        e ->
                                proxy.equals(e.getInvolvedObject().getName())
                                        && "ForwardProxy".equals(e.getInvolvedObject().getKind())
                                        && "Warning".equals(e.getType()))
                .toList();
    }

    // ---- standing in for the Deployment controller ----

    /**
     * What a Deployment controller and kubelet would report once {@code available} pods run the
     * current template.
     */
    void simulateRollout(String deployment, int available) {
        Deployment d = awaitChild(Deployment.class, deployment);
        d.setStatus(
                new DeploymentStatusBuilder()
                        .withObservedGeneration(d.getMetadata().getGeneration())
                        .withReplicas(d.getSpec().getReplicas())
                        .withUpdatedReplicas(d.getSpec().getReplicas())
                        .withReadyReplicas(available)
                        .withAvailableReplicas(available)
                        .build());
        client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
    }

    // ---- status and values ----

    static Condition ready(ForwardProxy p) {
        return p == null || p.getStatus() == null
                ? null
                : Conditions.find(p.getStatus().conditions, Conditions.READY);
    }

    static String reason(ForwardProxy p) {
        Condition c = ready(p);
        return c == null ? null : c.getReason();
    }

    static Condition certificateReady(ForwardProxy p) {
        return p == null || p.getStatus() == null
                ? null
                : Conditions.find(p.getStatus().conditions, Conditions.CERTIFICATE_READY);
    }

    static String decode(Secret secret, String key) {
        return new String(
                Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code TCP/3128}. */
    static String port(NetworkPolicyPort p) {
        return p.getProtocol() + "/" + p.getPort().getIntVal();
    }
}
