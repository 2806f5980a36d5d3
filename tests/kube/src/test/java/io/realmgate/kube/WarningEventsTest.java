package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.status.WarningEvents;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Warning Events against the real API server: one object per resource and reason, written by
 * server-side apply (no read, so the chart's create+patch rights suffice), updated when the failure
 * is seen again, also after the resource was deleted and created anew under the same name.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(120)
class WarningEventsTest {
    private static final String NS = "warning-events";

    @Test
    void aRepeatedFailureUpdatesItsOneEvent(KubeApi api) {
        KubernetesClient client = api.client();
        OperatorHarness.installCrds(client);
        OperatorHarness.ensureNamespace(client, NS);
        Realm realm = create(client);
        Instant t0 = Instant.parse("2026-11-24T10:00:00Z");
        WarningEvents.record(client, realm, "SecretNotFound", "Secret own-tls not found", t0);
        WarningEvents.record(
                client,
                realm,
                "SecretNotFound",
                "Secret own-tls still not found",
                t0.plusSeconds(60));
        WarningEvents.record(
                client, realm, "ReconcileFailed", "something else", t0.plusSeconds(61));

        List<Event> events = events(client, "SecretNotFound");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getMessage()).isEqualTo("Secret own-tls still not found");
        assertThat(events.get(0).getLastTimestamp()).isEqualTo("2026-11-24T10:01:00Z");
        assertThat(events.get(0).getType()).isEqualTo("Warning");
        assertThat(events.get(0).getInvolvedObject().getUid())
                .isEqualTo(realm.getMetadata().getUid());
        assertThat(events(client, "ReconcileFailed")).hasSize(1);

        // The same name, a new object: the Event follows it.
        client.resource(realm).withGracePeriod(0).delete();
        Realm again = create(client);
        assertThat(again.getMetadata().getUid()).isNotEqualTo(realm.getMetadata().getUid());
        WarningEvents.record(
                client, again, "SecretNotFound", "Secret own-tls not found", t0.plusSeconds(120));
        events = events(client, "SecretNotFound");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getInvolvedObject().getUid())
                .isEqualTo(again.getMetadata().getUid());
    }

    private static Realm create(KubernetesClient client) {
        Realm realm = new Realm();
        realm.setMetadata(new ObjectMetaBuilder().withName("evented").withNamespace(NS).build());
        return client.resource(realm).create();
    }

    private static List<Event> events(KubernetesClient client, String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .toList();
    }
}
