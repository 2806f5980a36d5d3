package io.realmgate.kube.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.api.TargetSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pod Security Admission, as docs/install.md tells to turn it on: in a namespace labelled {@code
 * pod-security.kubernetes.io/enforce: restricted} the API server (its PodSecurity admission plugin,
 * on by default) admits the operator's pod as the chart renders it and the realm and proxy pods as
 * the operator renders them. There is no kubelet here, so the pods never run; admission is what is
 * tested. A pod without the restricted settings is refused in the same namespace, so the namespace
 * does enforce.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(180)
class PodSecurityAdmissionTest {
    private static final String NS = "psa-restricted";
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static KubernetesClient client;
    private static OperatorHarness operator;

    @BeforeAll
    static void start(KubeApi api) {
        client = api.client();
        client.namespaces()
                .resource(
                        new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(NS)
                                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                                .endMetadata()
                                .build())
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
        // No controller manager makes the namespace's ServiceAccounts here; the ServiceAccount
        // admission plugin refuses a pod whose account does not exist.
        for (String account : List.of("default", "realmgate-operator")) {
            client.serviceAccounts()
                    .inNamespace(NS)
                    .resource(
                            new ServiceAccountBuilder()
                                    .withNewMetadata()
                                    .withName(account)
                                    .endMetadata()
                                    .build())
                    .fieldManager(OperatorHarness.FIELD_MANAGER)
                    .forceConflicts()
                    .serverSideApply();
        }
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (client != null) {
            client.pods().inNamespace(NS).delete();
        }
    }

    @Test
    void theNamespaceRefusesAPodWithoutTheRestrictedSettings() {
        PodSpec plain =
                new PodBuilder()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("plain")
                        .withImage("localhost/plain:1")
                        .endContainer()
                        .endSpec()
                        .build()
                        .getSpec();
        KubernetesClientException refused =
                catchThrowableOfType(
                        () -> createPod("plain", plain), KubernetesClientException.class);
        assertThat(refused).as("a pod without a security context was admitted").isNotNull();
        assertThat(refused.getCode()).isEqualTo(403);
        assertThat(refused.getMessage()).contains("violates PodSecurity \"restricted:latest\"");
    }

    @Test
    void theOperatorsPodAsTheChartRendersItIsAdmitted() {
        Deployment deployment =
                Chart.render(Chart.DEFAULT_RELEASE, NS, null)
                        .get("Deployment", "realmgate-operator", Deployment.class);
        Pod created = createPod("operator", deployment.getSpec().getTemplate().getSpec());
        assertThat(created.getMetadata().getUid()).isNotBlank();
    }

    @Test
    void theRealmAndProxyPodsTheOperatorRendersAreAdmitted() {
        Realm realm = new Realm();
        realm.setMetadata(new ObjectMetaBuilder().withName("prices").withNamespace(NS).build());
        realm.setSpec(new RealmSpec());
        client.resources(Realm.class).inNamespace(NS).resource(realm).create();
        ForwardProxy proxy = new ForwardProxy();
        proxy.setMetadata(new ObjectMetaBuilder().withName("egress").withNamespace(NS).build());
        ForwardProxySpec spec = new ForwardProxySpec();
        TargetSpec toRealm = new TargetSpec();
        toRealm.realm = "prices";
        spec.allowConnect = List.of(toRealm);
        proxy.setSpec(spec);
        client.resources(ForwardProxy.class).inNamespace(NS).resource(proxy).create();

        for (String name : List.of("prices-realm", "egress-proxy")) {
            Deployment deployment =
                    await("Deployment " + name)
                            .atMost(WAIT)
                            .until(
                                    () ->
                                            client.apps()
                                                    .deployments()
                                                    .inNamespace(NS)
                                                    .withName(name)
                                                    .get(),
                                    Objects::nonNull);
            Pod created = createPod(name, deployment.getSpec().getTemplate().getSpec());
            assertThat(created.getMetadata().getUid()).as(name).isNotBlank();
        }
    }

    private static Pod createPod(String name, PodSpec spec) {
        return client.pods()
                .inNamespace(NS)
                .resource(
                        new PodBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withNamespace(NS)
                                .endMetadata()
                                .withSpec(spec)
                                .build())
                .create();
    }
}
