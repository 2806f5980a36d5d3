package io.realmgate.operator.realm;

import static io.realmgate.operator.realm.RealmFixtures.model;
import static io.realmgate.operator.realm.RealmFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmStatus;
import io.realmgate.operator.status.StatusUpdates;
import io.realmgate.operator.status.WarningEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The reconciler's own decisions: when to look again, whether the status changed, which failures
 * raise Events.
 */
class RealmReconcilerTest {
    private static final Instant NOW = Instant.parse("2030-12-01T00:00:00Z");

    @Test
    void looksAgainWhenTheCertificateFallsDueButAtLeastHourly() {
        WssCertificate dueSoon = certificateDueAt(NOW.plus(Duration.ofMinutes(5)));
        assertThat(RealmReconciler.recheckAfter(dueSoon, NOW)).isEqualTo(Duration.ofMinutes(5));

        WssCertificate dueLater = certificateDueAt(NOW.plus(Duration.ofDays(30)));
        assertThat(RealmReconciler.recheckAfter(dueLater, NOW)).isEqualTo(Duration.ofHours(1));

        WssCertificate overdue = certificateDueAt(NOW.minus(Duration.ofMinutes(1)));
        assertThat(RealmReconciler.recheckAfter(overdue, NOW)).isEqualTo(Duration.ofSeconds(1));

        WssCertificate missing =
                WssCertificate.unusable("own", Optional.empty(), "SecretNotFound", "gone");
        assertThat(RealmReconciler.recheckAfter(missing, NOW)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void theStatusCountsAsChangedOnlyWhenItsContentDiffers() {
        KubernetesSerialization json = new KubernetesSerialization();
        Realm realm = prices();
        RealmStatus first = RealmStatusModel.next(model(realm, "1"), null, NOW);
        // What the API server hands back: the same status, read from JSON.
        RealmStatus stored = json.unmarshal(json.asJson(first), RealmStatus.class);
        realm.setStatus(stored);
        RealmStatus again =
                RealmStatusModel.next(model(realm, "1"), null, NOW.plus(Duration.ofMinutes(1)));

        assertThat(StatusUpdates.changed(json, stored, again)).isFalse();
        assertThat(StatusUpdates.changed(json, null, again)).isTrue();
        realm.getSpec().secureWebSocket.port = 9444;
        assertThat(
                        StatusUpdates.changed(
                                json, stored, RealmStatusModel.next(model(realm, "1"), null, NOW)))
                .as("new endpoint")
                .isTrue();
    }

    @Test
    void eventsAreRecordedForNewFailuresOnlyAndNotForARollout() {
        Realm realm = prices();
        RealmStatus rollingOut = RealmStatusModel.next(model(realm, "1"), null, NOW);
        assertThat(newFailures(null, rollingOut)).as("DeploymentNotAvailable is normal").isEmpty();

        realm.setStatus(rollingOut);
        RealmStatus failed = RealmStatusModel.failed(rollingOut, 3, "CA unreachable", NOW);
        assertThat(newFailures(rollingOut, failed))
                .isEqualTo(Map.of("ReconcileFailed", "CA unreachable"));
        assertThat(
                        newFailures(
                                failed,
                                RealmStatusModel.failed(failed, 3, "CA unreachable again", NOW)))
                .as("the same failure again")
                .isEmpty();

        WssCertificate missing =
                WssCertificate.unusable("own", Optional.empty(), "SecretNotFound", "gone");
        RealmStatus noSecret =
                RealmStatusModel.next(
                        new RealmModel(realm, RealmFixtures.SETTINGS, missing, List.of()),
                        null,
                        NOW);
        assertThat(newFailures(rollingOut, noSecret))
                .as("one Event for Ready and CertificateReady")
                .isEqualTo(Map.of("SecretNotFound", "gone"));
    }

    private static Map<String, String> newFailures(RealmStatus stored, RealmStatus next) {
        return WarningEvents.newFailures(
                stored == null ? null : stored.conditions, next.conditions);
    }

    private static WssCertificate certificateDueAt(Instant renewAt) {
        return WssCertificate.issued("prices-realm-tls", RealmFixtures.issued("1"), "ca", renewAt);
    }
}
