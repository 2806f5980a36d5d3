package io.realmgate.operator.realm;

import static io.realmgate.operator.realm.RealmFixtures.SETTINGS;
import static io.realmgate.operator.realm.RealmFixtures.model;
import static io.realmgate.operator.realm.RealmFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.status.Conditions;
import io.realmgate.operator.status.WarningEvents;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RealmStatusModelTest {
    private static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");
    private static final Instant T1 = Instant.parse("2030-01-01T11:00:00Z");

    @Test
    void notReadyUntilTheDeploymentHasRolledOutAndIsAvailable() {
        assertThat(RealmStatusModel.readiness(1, null, "prices-realm"))
                .isEqualTo(
                        new RealmStatusModel.Readiness(
                                false,
                                "DeploymentNotAvailable",
                                "Deployment prices-realm does not exist yet"));
        assertThat(RealmStatusModel.readiness(1, deployment(2, 1, 1, 1), "prices-realm").message())
                .isEqualTo("Deployment prices-realm: rollout of generation 2 not started yet");
        assertThat(RealmStatusModel.readiness(2, deployment(2, 2, 1, 2), "prices-realm").message())
                .isEqualTo("Deployment prices-realm: 1/2 replicas updated");
        assertThat(RealmStatusModel.readiness(2, deployment(2, 2, 2, 1), "prices-realm").message())
                .isEqualTo("Deployment prices-realm: 1/2 replicas available");
        assertThat(RealmStatusModel.readiness(2, deployment(2, 2, 2, 2), "prices-realm"))
                .isEqualTo(
                        new RealmStatusModel.Readiness(
                                true, "DeploymentAvailable", "2/2 replicas available"));
        assertThat(RealmStatusModel.readiness(0, null, "prices-realm"))
                .isEqualTo(
                        new RealmStatusModel.Readiness(
                                true, "ScaledToZero", "scaled to zero replicas"));
    }

    @Test
    void aPerClientCapBelowOneProxyPodIsAConditionOfItsOwnAndTheRealmStaysReady() {
        RealmStatus alone = RealmStatusModel.next(model(prices(), "1"), deployment(1, 1, 1, 1), T0);
        assertThat(alone.conditions)
                .extracting(Condition::getType)
                .containsExactly(
                        "Ready",
                        "CertificateReady",
                        "ClientLimitsFitProxies",
                        "RetentionFitsMemory",
                        "ConnectionLimitsFitMemory");
        assertThat(Conditions.find(alone.conditions, "ClientLimitsFitProxies").getReason())
                .isEqualTo("NoForwardProxies");

        Realm capped = prices();
        capped.getSpec().limits = new RealmLimits();
        capped.getSpec().limits.maxPollsPerClient = 50;
        RealmStatus below =
                RealmStatusModel.next(model(capped, "1", "egress"), deployment(1, 1, 1, 1), T0);
        Condition fit = Conditions.find(below.conditions, "ClientLimitsFitProxies");
        assertThat(fit.getStatus()).isEqualTo("False");
        assertThat(fit.getReason()).isEqualTo("BelowProxyCapacity");
        assertThat(fit.getMessage()).startsWith("spec.limits.maxPollsPerClient (50) is below 5000");
        assertThat(Conditions.isTrue(below.conditions, "Ready")).as("the realm serves").isTrue();
        assertThat(WarningEvents.newFailures(alone.conditions, below.conditions))
                .as("one Warning Event when it turns False")
                .containsOnlyKeys("BelowProxyCapacity");
        assertThat(
                        WarningEvents.newFailures(
                                below.conditions,
                                RealmStatusModel.next(
                                                model(capped, "1", "egress"),
                                                deployment(1, 1, 1, 1),
                                                T1)
                                        .conditions))
                .as("not again while it stays False")
                .isEmpty();
    }

    @Test
    void channelsSetAboveWhatTheMemoryCarriesAreAConditionAndOneWarningAndTheRealmStaysReady() {
        RealmStatus sized = RealmStatusModel.next(model(prices(), "1"), deployment(1, 1, 1, 1), T0);
        Condition fits = Conditions.find(sized.conditions, RealmRetention.CONDITION);
        assertThat(fits.getStatus()).isEqualTo("True");
        assertThat(fits.getReason()).isEqualTo("SizedForMemory");

        Realm crowded = prices();
        crowded.getSpec().limits = new RealmLimits();
        crowded.getSpec().limits.maxChannels = 5000;
        RealmStatus above = RealmStatusModel.next(model(crowded, "1"), deployment(1, 1, 1, 1), T0);
        Condition fit = Conditions.find(above.conditions, RealmRetention.CONDITION);
        assertThat(fit.getStatus()).isEqualTo("False");
        assertThat(fit.getReason()).isEqualTo("AboveMemoryCapacity");
        assertThat(fit.getMessage()).startsWith("spec.limits.maxChannels as set need more");
        assertThat(Conditions.isTrue(above.conditions, "Ready")).as("the realm serves").isTrue();
        assertThat(WarningEvents.newFailures(sized.conditions, above.conditions))
                .as("one Warning Event when it turns False")
                .containsOnlyKeys("AboveMemoryCapacity");
    }

    @Test
    void statusCarriesConditionsEndpointsGenerationAndTheCaConfigMap() {
        RealmStatus status =
                RealmStatusModel.next(model(prices(), "1"), deployment(1, 1, 1, 1), T0);

        assertThat(status.observedGeneration).isEqualTo(3L);
        assertThat(status.endpoints.webSocket).isEqualTo("ws://prices-realm.apps.svc:9000/realm");
        assertThat(status.endpoints.secureWebSocket)
                .isEqualTo("wss://prices-realm.apps.svc:9443/realm");
        assertThat(status.caBundleConfigMap).isEqualTo("prices-realm-ca");
        Condition ready = Conditions.find(status.conditions, "Ready");
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo("DeploymentAvailable");
        assertThat(ready.getObservedGeneration()).isEqualTo(3L);
        assertThat(ready.getLastTransitionTime()).isEqualTo("2030-01-01T10:00:00Z");
        Condition certificate = Conditions.find(status.conditions, "CertificateReady");
        assertThat(certificate.getStatus()).isEqualTo("True");
        assertThat(certificate.getReason()).isEqualTo("Issued");
        assertThat(certificate.getMessage()).contains("valid until 2031-01-01T00:00:00Z");
    }

    @Test
    void statusShowsTheEngineAndKeepsItAfterAFailedReconcile() {
        RealmStatus status =
                RealmStatusModel.next(model(prices(), "1"), deployment(1, 1, 1, 1), T0);
        assertThat(status.engine).isEqualTo("memory");
        assertThat(RealmStatusModel.failed(status, 4, "boom", T1).engine).isEqualTo("memory");
        assertThat(RealmStatusModel.failed(null, 4, "boom", T1).engine).isNull();
    }

    @Test
    void aStoredRealmWithSeveralReplicasIsReadyWithOnePodAndToldWhy() {
        Realm realm = prices();
        realm.getSpec().replicas = 3;
        Condition ready =
                Conditions.find(
                        RealmStatusModel.next(model(realm, "1"), deployment(1, 1, 1, 1), T0)
                                .conditions,
                        "Ready");
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getMessage())
                .isEqualTo(
                        "1/1 replicas available; spec.replicas 3 runs as 1: a memory realm is one "
                                + "process (set spec.replicas to 0 or 1)");

        realm.getSpec().replicas = 1;
        assertThat(
                        Conditions.find(
                                        RealmStatusModel.next(
                                                        model(realm, "1"),
                                                        deployment(1, 1, 1, 1),
                                                        T0)
                                                .conditions,
                                        "Ready")
                                .getMessage())
                .isEqualTo("1/1 replicas available");
    }

    @Test
    void lastTransitionTimeStaysWhileNothingFlipsAndMovesWhenReadyFlips() {
        Realm realm = prices();
        realm.setStatus(RealmStatusModel.next(model(realm, "1"), null, T0));
        RealmStatus same = RealmStatusModel.next(model(realm, "1"), null, T1);
        assertThat(Conditions.find(same.conditions, "Ready").getLastTransitionTime())
                .isEqualTo("2030-01-01T10:00:00Z");
        assertThat(Conditions.find(same.conditions, "CertificateReady").getLastTransitionTime())
                .isEqualTo("2030-01-01T10:00:00Z");

        realm.setStatus(same);
        RealmStatus available =
                RealmStatusModel.next(model(realm, "1"), deployment(1, 1, 1, 1), T1);
        assertThat(Conditions.find(available.conditions, "Ready").getLastTransitionTime())
                .isEqualTo("2030-01-01T11:00:00Z");
        assertThat(
                        Conditions.find(available.conditions, "CertificateReady")
                                .getLastTransitionTime())
                .isEqualTo("2030-01-01T10:00:00Z");
    }

    @Test
    void aMissingUserSecretMakesBothConditionsFalseWithItsReason() {
        Realm realm = prices();
        WssCertificate missing =
                WssCertificate.unusable(
                        "my-cert",
                        Optional.empty(),
                        WssCertificate.SECRET_NOT_FOUND,
                        "Secret my-cert not found in namespace apps");
        RealmStatus status =
                RealmStatusModel.next(
                        new RealmModel(realm, SETTINGS, missing, Set.of()),
                        deployment(1, 1, 1, 1),
                        T0);

        Condition ready = Conditions.find(status.conditions, "Ready");
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("SecretNotFound");
        Condition certificate = Conditions.find(status.conditions, "CertificateReady");
        assertThat(certificate.getStatus()).isEqualTo("False");
        assertThat(certificate.getReason()).isEqualTo("SecretNotFound");
        assertThat(certificate.getMessage())
                .isEqualTo("Secret my-cert not found in namespace apps");
        assertThat(status.caBundleConfigMap).isNull();
    }

    @Test
    void statusGivesTheScaleSubresourceThePodsTheDeploymentHasAndTheirSelector() {
        Deployment surging = deployment(1, 1, 1, 1);
        surging.getStatus().setReplicas(2);
        RealmStatus status = RealmStatusModel.next(model(prices(), "1"), surging, T0);
        assertThat(status.replicas).isEqualTo(2);
        assertThat(status.selector)
                .isEqualTo(
                        "app.kubernetes.io/instance=prices,app.kubernetes.io/name=realmgate-realm");

        RealmStatus noDeployment = RealmStatusModel.next(model(prices(), "1"), null, T0);
        assertThat(noDeployment.replicas).isZero();
        assertThat(noDeployment.selector).isEqualTo(status.selector);

        RealmStatus failed = RealmStatusModel.failed(status, 4, "boom", T1);
        assertThat(failed.replicas).isEqualTo(2);
        assertThat(failed.selector).isEqualTo(status.selector);
    }

    @Test
    void aFailedReconcileKeepsWhatWasKnownAndSaysWhy() {
        RealmStatus before =
                RealmStatusModel.next(model(prices(), "1"), deployment(1, 1, 1, 1), T0);
        RealmStatus failed = RealmStatusModel.failed(before, 4, "CA Secret unreadable", T1);

        assertThat(failed.observedGeneration).isEqualTo(3L);
        assertThat(failed.endpoints).isSameAs(before.endpoints);
        Condition ready = Conditions.find(failed.conditions, "Ready");
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("ReconcileFailed");
        assertThat(ready.getMessage()).isEqualTo("CA Secret unreadable");
        assertThat(Conditions.find(failed.conditions, "CertificateReady").getStatus())
                .isEqualTo("True");
    }

    private static Deployment deployment(
            long generation, long observed, int updated, int available) {
        return new DeploymentBuilder()
                .withMetadata(
                        new ObjectMetaBuilder()
                                .withName("prices-realm")
                                .withGeneration(generation)
                                .build())
                .withNewStatus()
                .withObservedGeneration(observed)
                .withUpdatedReplicas(updated)
                .withAvailableReplicas(available)
                .endStatus()
                .build();
    }
}
