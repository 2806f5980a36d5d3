package io.realmgate.operator.proxy;

import static io.realmgate.operator.proxy.Fixtures.SETTINGS;
import static io.realmgate.operator.proxy.Fixtures.proxy;
import static io.realmgate.operator.proxy.Fixtures.realm;
import static io.realmgate.operator.proxy.Fixtures.realmTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxyStatus;
import io.realmgate.operator.status.Conditions;
import io.realmgate.operator.status.WarningEvents;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxyStatusModelTest {
    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
    private static final Instant T1 = T0.plusSeconds(60);

    private static ProxyInputs inputs(ForwardProxy p, boolean realmExists) {
        return new ProxyInputs(
                new ProxyModel(
                        p,
                        SETTINGS,
                        realmExists
                                ? Map.of("prices", realm("prices", "apps", 9000, 9443))
                                : Map.of(),
                        Optional.empty()),
                List.of(),
                Optional.empty());
    }

    private static Deployment deployment(
            long generation, long observed, int updated, int available) {
        return new DeploymentBuilder()
                .withMetadata(
                        new ObjectMetaBuilder()
                                .withName("egress-proxy")
                                .withGeneration(generation)
                                .build())
                .withNewSpec()
                .withReplicas(2)
                .endSpec()
                .withNewStatus()
                .withObservedGeneration(observed)
                .withUpdatedReplicas(updated)
                .withAvailableReplicas(available)
                .endStatus()
                .build();
    }

    private static Condition ready(ForwardProxyStatus s) {
        return Conditions.find(s.conditions, Conditions.READY);
    }

    @Test
    void statusGivesTheScaleSubresourceThePodsTheDeploymentHasAndTheirSelector() {
        ForwardProxy p = proxy("egress", "apps", realmTarget("prices"));
        Deployment scaling = deployment(1, 1, 2, 2);
        scaling.getStatus().setReplicas(3);
        ForwardProxyStatus s = ProxyStatusModel.next(p, inputs(p, true), Optional.of(scaling), T0);
        assertThat(s.replicas).isEqualTo(3);
        assertThat(s.selector)
                .isEqualTo(
                        "app.kubernetes.io/instance=egress,app.kubernetes.io/name=realmgate-proxy");

        ForwardProxyStatus none = ProxyStatusModel.next(p, inputs(p, true), Optional.empty(), T0);
        assertThat(none.replicas).isZero();

        p.setStatus(s);
        ForwardProxyStatus failed = ProxyStatusModel.failed(p, "boom", T1);
        assertThat(failed.replicas).isEqualTo(3);
        assertThat(failed.selector).isEqualTo(s.selector);
    }

    @Test
    void missingRealmMakesReadyFalseWithTheProblemsAndNoTargets() {
        ForwardProxy p = proxy("egress", "apps", realmTarget("prices"));
        p.getMetadata().setGeneration(3L);
        ForwardProxyStatus s =
                ProxyStatusModel.next(p, inputs(p, false), Optional.of(deployment(1, 1, 2, 2)), T0);

        assertThat(ready(s).getStatus()).isEqualTo("False");
        assertThat(ready(s).getReason()).isEqualTo("RealmNotFound");
        assertThat(ready(s).getMessage())
                .isEqualTo("allowConnect[0]: Realm 'prices' not found in namespace apps");
        assertThat(ready(s).getObservedGeneration()).isEqualTo(3L);
        assertThat(s.observedGeneration).isEqualTo(3L);
        assertThat(s.targets).isEmpty();
        assertThat(s.endpoint).isEqualTo("http://egress-proxy.apps.svc:3128");
    }

    @Test
    void aMissingRealmRaisesOneWarningEventAndPodsStartingNone() {
        ForwardProxy p = proxy("egress", "apps", realmTarget("prices"));
        ForwardProxyStatus starting =
                ProxyStatusModel.next(p, inputs(p, true), Optional.empty(), T0);
        assertThat(WarningEvents.newFailures(null, starting.conditions))
                .as("DeploymentNotAvailable is normal")
                .isEmpty();

        p.setStatus(starting);
        ForwardProxyStatus missing =
                ProxyStatusModel.next(p, inputs(p, false), Optional.empty(), T1);
        assertThat(WarningEvents.newFailures(starting.conditions, missing.conditions))
                .isEqualTo(
                        Map.of(
                                "RealmNotFound",
                                "allowConnect[0]: Realm 'prices' not found in namespace apps"));
        p.setStatus(missing);
        ForwardProxyStatus stillMissing =
                ProxyStatusModel.next(p, inputs(p, false), Optional.empty(), T1);
        assertThat(WarningEvents.newFailures(missing.conditions, stillMissing.conditions))
                .as("the same failure again")
                .isEmpty();
    }

    @Test
    void readyOnlyWhenTheDeploymentHasRolledOutTheCurrentTemplate() {
        ForwardProxy p = proxy("egress", "apps", realmTarget("prices"));
        ProxyInputs in = inputs(p, true);

        assertThat(ready(ProxyStatusModel.next(p, in, Optional.empty(), T0)).getMessage())
                .isEqualTo("0/2 replicas available");
        ForwardProxyStatus stale =
                ProxyStatusModel.next(p, in, Optional.of(deployment(2, 1, 2, 2)), T0);
        assertThat(ready(stale).getReason()).isEqualTo("DeploymentNotAvailable");
        ForwardProxyStatus half =
                ProxyStatusModel.next(p, in, Optional.of(deployment(2, 2, 2, 1)), T0);
        assertThat(ready(half).getReason()).isEqualTo("DeploymentNotAvailable");
        assertThat(ready(half).getMessage()).isEqualTo("1/2 replicas available");

        ForwardProxyStatus done =
                ProxyStatusModel.next(p, in, Optional.of(deployment(2, 2, 2, 2)), T0);
        assertThat(ready(done).getStatus()).isEqualTo("True");
        assertThat(ready(done).getReason()).isEqualTo("DeploymentAvailable");
        assertThat(ready(done).getMessage()).isEqualTo("2/2 replicas available");
        assertThat(done.targets)
                .containsExactly(
                        "prices-realm.apps:9443",
                        "prices-realm.apps.svc:9443",
                        "prices-realm.apps.svc.cluster.local:9443");
    }

    @Test
    void sameFactsLaterGiveTheSameStatusAndAFlipMovesTheTransitionTime() {
        ForwardProxy p = proxy("egress", "apps", realmTarget("prices"));
        ProxyInputs in = inputs(p, true);
        p.setStatus(ProxyStatusModel.next(p, in, Optional.of(deployment(1, 1, 2, 2)), T0));
        ForwardProxyStatus again =
                ProxyStatusModel.next(p, in, Optional.of(deployment(1, 1, 2, 2)), T1);
        assertThat(ready(again)).isEqualTo(ready(p.getStatus()));

        ForwardProxyStatus flipped =
                ProxyStatusModel.next(p, in, Optional.of(deployment(1, 1, 2, 1)), T1);
        assertThat(ready(flipped).getLastTransitionTime()).isEqualTo(T1.toString());
    }

    @Test
    void certificateReadyIsThereWhileTlsIsOn() {
        ForwardProxy p = proxy("egress", "apps");
        ProxyModel model = new ProxyModel(p, SETTINGS, Map.of(), Optional.empty());
        ProxyInputs tls =
                new ProxyInputs(
                        model,
                        List.of(),
                        Optional.of(
                                new ProxyInputs.ConditionValue(
                                        true, "Issued", "certificate for x")));
        p.setStatus(ProxyStatusModel.next(p, tls, Optional.empty(), T0));
        assertThat(p.getStatus().conditions)
                .extracting(Condition::getType)
                .containsExactly("Ready", "CertificateReady", ProxyCapacity.CONDITION);

        ForwardProxyStatus off =
                ProxyStatusModel.next(
                        p,
                        new ProxyInputs(model, List.of(), Optional.empty()),
                        Optional.empty(),
                        T1);
        assertThat(off.conditions)
                .extracting(Condition::getType)
                .containsExactly("Ready", ProxyCapacity.CONDITION);
    }

    @Test
    void failedReconcileKeepsWhatWasKnownAndSaysWhatFailed() {
        ForwardProxy p = proxy("egress", "apps", realmTarget("prices"));
        p.setStatus(
                ProxyStatusModel.next(p, inputs(p, true), Optional.of(deployment(1, 1, 2, 2)), T0));
        ForwardProxyStatus failed =
                ProxyStatusModel.failed(p, "KubernetesClientException: conflict", T1);
        assertThat(ready(failed).getReason()).isEqualTo("ReconcileFailed");
        assertThat(ready(failed).getMessage()).isEqualTo("KubernetesClientException: conflict");
        assertThat(failed.targets).isEqualTo(p.getStatus().targets);
        assertThat(failed.endpoint).isEqualTo(p.getStatus().endpoint);
    }
}
