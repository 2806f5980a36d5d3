package io.realmgate.kube.realm;

import static io.realmgate.kube.realm.RealmCluster.condition;
import static io.realmgate.kube.realm.RealmCluster.is;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.kube.KubeApi;
import io.realmgate.kube.KubeApiExtension;
import io.realmgate.kube.OperatorHarness;
import io.realmgate.operator.api.Realm;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Realm's {@code spec.retention} and the retention, message, channel and queue fields of {@code
 * spec.limits} against a real API server: refused by the CRD's schema and CEL rules with the field
 * named, rendered into realm.yaml as written, and, when a full realm would need more heap than the
 * pod has, reported by the condition RetentionFitsMemory and a Warning Event.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealmRetentionReconcileTest {
    private static final String NS = "realm-retention";

    private static OperatorHarness operator;
    private static RealmCluster cluster;

    @BeforeAll
    static void startOperator(KubeApi api) {
        OperatorHarness.ensureNamespace(api.client(), NS);
        operator = OperatorHarness.start(api, OperatorHarness.testSettings(), Set.of(NS));
        cluster = new RealmCluster(api.client(), NS);
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    /** A memory realm named {@code name} with {@code spec} lines (indented by two) added. */
    private static String realm(String name, String spec) {
        return """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: %s}
        spec:
          webSocket: {port: 9000}
          secureWebSocket: {port: 9443}
        %s
        """
                .formatted(name, spec.indent(2).stripTrailing());
    }

    /** The API server's single cause for refusing the realm: its field and message. */
    private static StatusCause refused(String yaml) {
        KubernetesClientException e =
                catchThrowableOfType(KubernetesClientException.class, () -> cluster.apply(yaml));
        assertThat(e).as("the API server must refuse:\n%s", yaml).isNotNull();
        assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
        assertThat(e.getStatus().getDetails().getCauses()).as(e.getMessage()).hasSize(1);
        return e.getStatus().getDetails().getCauses().get(0);
    }

    @Test
    void anAgeWithTheMemoryEngineIsRefusedNamingTheFieldAndWhy() {
        StatusCause age = refused(realm("aged", "retention: {age: 10m}"));
        assertThat(age.getField()).isEqualTo("spec.retention.age");
        assertThat(age.getMessage())
                .contains(
                        "spec.retention.age is only for spec.engine.type redis: a memory realm"
                                + " retains by events and bytes only");
        StatusCause tooShort =
                refused(
                        realm(
                                "aged",
                                """
                                engine: {type: redis, redis: {url: "redis://redis:6379"}}
                                retention: {age: 500ms}
                                """));
        assertThat(tooShort.getField()).as("below one second").isEqualTo("spec.retention.age");
        assertThat(tooShort.getMessage()).contains("should match");

        cluster.apply(
                realm(
                        "aged",
                        """
                        engine: {type: redis, redis: {url: "redis://redis:6379"}}
                        retention: {age: 10m}
                        """));
        cluster.awaitRealm(
                "aged", "reconciled", r -> is(r, "RetentionFitsMemory", "True", "SizedForMemory"));
        assertThat(cluster.settings("aged")).containsSequence("--retain-age", "10m");
    }

    @Test
    void sizesAndCountsBreakingTheRealmsOwnRulesAreRefusedNamingTheField() {
        StatusCause small = refused(realm("small", "limits: {maxMessage: 255}"));
        assertThat(small.getField()).isEqualTo("spec.limits.maxMessage");
        assertThat(small.getMessage())
                .contains("limits.maxMessage must be at least 256 bytes and at most 1GiB");
        assertThat(refused(realm("large", "limits: {maxMessage: 2GiB}")).getField())
                .isEqualTo("spec.limits.maxMessage");

        assertThat(refused(realm("unit", "retention: {bytes: 1MB}")).getField())
                .as("not a size the realm reads")
                .isEqualTo("spec.retention.bytes");

        StatusCause newest =
                refused(realm("newest", "retention: {bytes: 100KiB}\nlimits: {maxMessage: 64KiB}"));
        assertThat(newest.getField()).isEqualTo("spec.retention.bytes");
        assertThat(newest.getMessage())
                .contains(
                        "spec.retention.bytes must be at least twice spec.limits.maxMessage"
                                + " (default 64KiB) so that the newest event always fits");
        assertThat(refused(realm("newest", "retention: {bytes: 127KiB}")).getField())
                .as("twice the default message")
                .isEqualTo("spec.retention.bytes");

        StatusCause queue =
                refused(realm("queue", "retention: {bytes: 1MiB}\nlimits: {queueBytes: 1048576}"));
        assertThat(queue.getField()).isEqualTo("spec.limits.queueBytes");
        assertThat(queue.getMessage())
                .contains("spec.limits.queueBytes must be larger than spec.retention.bytes");
        assertThat(refused(realm("queue", "limits: {queueBytes: 128KiB}")).getField())
                .as("no room for the smallest retention the operator could size")
                .isEqualTo("spec.limits.queueBytes");

        StatusCause events = refused(realm("events", "limits: {queueEvents: 1000}"));
        assertThat(events.getField()).isEqualTo("spec.limits.queueEvents");
        assertThat(events.getMessage())
                .contains(
                        "spec.limits.queueEvents must be larger than spec.retention.events"
                                + " (default 1000)");

        assertThat(refused(realm("channels", "limits: {maxChannels: 0}")).getField())
                .isEqualTo("spec.limits.maxChannels");
    }

    @Test
    void whatIsSetIsRenderedAsWrittenAndTheRestFollowsIt() {
        cluster.apply(
                realm(
                        "kept",
                        """
                        retention: {events: 200, bytes: 512KiB}
                        limits: {maxMessage: 32KiB, maxChannels: 20, queueEvents: 1000}
                        """));
        cluster.awaitRealm(
                "kept",
                "retention within memory",
                r -> is(r, "RetentionFitsMemory", "True", "WithinMemory"));
        assertThat(cluster.settings("kept"))
                .containsSequence(
                        "--retain-events",
                        "200",
                        "--retain-bytes",
                        "512KiB",
                        "--queue-events",
                        "1000",
                        "--queue-bytes",
                        "1MiB",
                        "--max-message",
                        "32KiB",
                        "--max-channels",
                        "20");
    }

    /** docs/operator.md's example, "Realm retention, message size, channels and queues". */
    @Test
    void theDocumentedRoomsExampleIsAcceptedRenderedAndFits() {
        cluster.apply(
                realm(
                        "rooms",
                        """
                        engine:
                          type: redis
                          redis: {url: "redis://redis.apps.svc:6379"}
                        resources:
                          limits: {memory: 2Gi}
                        retention:
                          events: 5000
                          bytes: 1MiB
                          age: 24h
                        limits:
                          maxMessage: 256KiB
                          maxChannels: 50
                        """));
        Realm realm =
                cluster.awaitRealm(
                        "rooms",
                        "retention within memory",
                        r -> is(r, "RetentionFitsMemory", "True", "WithinMemory"));
        assertThat(condition(realm, "RetentionFitsMemory").getMessage())
                .contains("= 315 MiB of half the heap, 409 MiB");
        assertThat(cluster.settings("rooms"))
                .containsSequence(
                        "--retain-events",
                        "5000",
                        "--retain-bytes",
                        "1MiB",
                        "--retain-age",
                        "24h",
                        "--queue-events",
                        "10000",
                        "--queue-bytes",
                        "2MiB",
                        "--max-message",
                        "256KiB",
                        "--max-channels",
                        "50");
    }

    @Test
    void channelsAboveWhatThePodsMemoryCarriesAreAFalseConditionAndAWarningEvent() {
        cluster.apply(realm("crowded", "limits: {maxChannels: 10000}"));
        Realm realm =
                cluster.awaitRealm(
                        "crowded",
                        "retention above memory",
                        r -> is(r, "RetentionFitsMemory", "False", "AboveMemoryCapacity"));
        assertThat(condition(realm, "RetentionFitsMemory").getMessage())
                .startsWith(
                        "spec.limits.maxChannels as set need more than the pod's memory carries")
                .contains("10000 channels");
        assertThat(cluster.settings("crowded"))
                .as("the user's value, as written")
                .containsSequence("--max-channels", "10000");
        Event warning =
                await("a Warning Event")
                        .atMost(RealmCluster.WAIT)
                        .until(() -> events("crowded", "AboveMemoryCapacity"), e -> !e.isEmpty())
                        .get(0);
        assertThat(warning.getType()).isEqualTo("Warning");
        assertThat(warning.getMessage()).startsWith("spec.limits.maxChannels as set");

        cluster.apply(
                realm(
                        "crowded",
                        """
                        limits: {maxChannels: 10000}
                        resources: {limits: {memory: 128Gi}}
                        """));
        cluster.awaitRealm(
                "crowded",
                "within a larger pod's memory",
                r -> is(r, "RetentionFitsMemory", "True", "WithinMemory"));
    }

    private static List<Event> events(String realm, String reason) {
        return cluster.client().v1().events().inNamespace(NS).list().getItems().stream()
                .filter(
                        e ->
                                realm.equals(e.getInvolvedObject().getName())
                                        && reason.equals(e.getReason()))
                .toList();
    }
}
