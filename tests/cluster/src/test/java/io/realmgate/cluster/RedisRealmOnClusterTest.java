package io.realmgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A realm that scales out, as examples/realm-redis.yaml sets it up: Redis in a pod (Debian's
 * redis-server, loaded under the image name the example gives), a Realm of three replicas on the
 * redis engine and a ForwardProxy in front. A rolling restart of every realm pod while a publisher
 * sends numbered events through the proxy: each subscriber, moved to another pod at least once,
 * sees every acknowledged event exactly once, in id order, with no gap.
 */
@Order(4)
class RedisRealmOnClusterTest extends ClusterSteps {
    static final String EXAMPLE = "examples/realm-redis.yaml";
    static final String NS = "feeds";
    static final String CLIENTS = "feeds-clients";
    static final String REALM_URL = "wss://quotes-realm.feeds.svc:9443/realm";
    static final String PROXY = "egress-proxy.feeds.svc:3128";
    static final String CA = "quotes-realm-ca";

    /** Events published, one every {@link #INTERVAL}: about 100 s, longer than the restart. */
    static final int EVENTS = 400;

    static final String INTERVAL = "250ms";
    static final int SUBSCRIBERS = 3;

    @Test
    @Order(1)
    void theExampleRunsThreeRealmPodsOnOneRedis() {
        kubectl.run("apply", "--server-side", "-f", EXAMPLE).orFail();
        kubectl.run(
                        Duration.ofMinutes(3),
                        "-n",
                        NS,
                        "rollout",
                        "status",
                        "deployment/redis",
                        "--timeout=150s")
                .orFail();
        kubectl.run(
                        Duration.ofMinutes(5),
                        "-n",
                        NS,
                        "wait",
                        "--for=condition=Ready",
                        "realm/quotes",
                        "forwardproxy/egress",
                        "--timeout=4m")
                .orFail();

        // What the example's comment tells a user to look at.
        String listed = kubectl.run("-n", NS, "get", "rlm,fwp,deploy,pdb").orFail().out();
        assertThat(listed).contains("quotes").contains("egress").contains("redis");

        Deployment realm =
                client.apps().deployments().inNamespace(NS).withName("quotes-realm").require();
        assertThat(realm.getStatus().getReadyReplicas()).isEqualTo(3);
        assertThat(realm.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        List<PodDisruptionBudget> budgets =
                client.policy()
                        .v1()
                        .podDisruptionBudget()
                        .inNamespace(NS)
                        .withLabel("app.kubernetes.io/instance", "quotes")
                        .list()
                        .getItems();
        assertThat(budgets).hasSize(1);
        assertThat(budgets.get(0).getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(kubectl.run("-n", NS, "get", "realm/quotes", "-o", "yaml").orFail().out())
                .contains("engine: redis");
        // Clients trust the realm's CA: the operator keeps its bundle in the proxy's client
        // namespace.
        pods.awaitCaBundle(CLIENTS, CA);
    }

    @Test
    @Order(2)
    @Timeout(value = 9, unit = TimeUnit.MINUTES)
    void aRollingRestartUnderSteadyPublishingLosesAndRepeatsNothing() {
        // A channel no earlier run on a cluster that stays up has used: its ids start at 1.
        String channel = "quotes-" + Long.toString(System.nanoTime(), 36);
        List<String> subscribers = new ArrayList<>();
        for (int i = 1; i <= SUBSCRIBERS; i++) {
            String name = "quotes-subscriber-" + i;
            startSubscriber(name, channel);
            subscribers.add(name);
        }
        startPublisher("quotes-publisher", channel);
        Awaitility.await()
                .atMost(90, TimeUnit.SECONDS)
                .pollInterval(1, TimeUnit.SECONDS)
                .until(() -> eventsSeen(subscribers.get(0)) >= 10);

        Set<String> before = realmPodUids();
        assertThat(before).hasSize(3);
        kubectl.run("-n", NS, "rollout", "restart", "deployment/quotes-realm").orFail();
        kubectl.run(
                        Duration.ofMinutes(5),
                        "-n",
                        NS,
                        "rollout",
                        "status",
                        "deployment/quotes-realm",
                        "--timeout=280s")
                .orFail();
        assertThat(realmPodUids())
                .as("every realm pod was replaced")
                .doesNotContainAnyElementsOf(before);
        int seenWhenRestarted = eventsSeen(subscribers.get(0));
        assertThat(seenWhenRestarted)
                .as("the restart ended while events were still being published")
                .isLessThan(EVENTS);

        ClientPods.Outcome publisher =
                pods.await(CLIENTS, "quotes-publisher", Duration.ofMinutes(3));
        List<Long> acked = ids("(?m)^ack id=(\\d+)", publisher.log());
        assertThat(acked).as(publisher.log()).isNotEmpty();
        // A publish cut off by its pod's shutdown is reported (not retried); at most a few.
        assertThat(acked.size()).as(publisher.log()).isGreaterThan(EVENTS * 9 / 10);

        for (String name : subscribers) {
            // A subscriber waits for all EVENTS, more than were acknowledged if a publish was cut
            // off: it is done once it holds every acknowledged one (or a minute has passed).
            Awaitility.await()
                    .atMost(60, TimeUnit.SECONDS)
                    .pollInterval(1, TimeUnit.SECONDS)
                    .ignoreExceptions()
                    .until(
                            () ->
                                    ReferenceScenarioOnClusterTest.eventIds(pods.log(CLIENTS, name))
                                            .containsAll(acked));
            String log = pods.log(CLIENTS, name);
            pods.delete(CLIENTS, name);
            List<Long> seen = ReferenceScenarioOnClusterTest.eventIds(log);
            assertThat(log)
                    .as(name + " was moved to another realm pod")
                    .contains("connected reconnect=true");
            assertThat(seen)
                    .as(name + ": every id once, in order, from 1")
                    .isEqualTo(range(seen.size()));
            assertThat(seen).as(name + ": every acknowledged event").containsAll(acked);
            assertThat(log).as(name).doesNotContain("reset channel=");
        }
    }

    @Test
    @Order(3)
    void deletingTheExampleLeavesNothingBehind() {
        kubectl.run(Duration.ofMinutes(4), "delete", "-f", EXAMPLE, "--wait=true", "--timeout=3m")
                .orFail();
        assertThat(client.namespaces().withName(NS).get()).isNull();
    }

    private void startSubscriber(String name, String channel) {
        pods.start(
                CLIENTS,
                name,
                ClientPods.REALM_IMAGE,
                ClientPods.javaCommand(
                        List.of(
                                "--url",
                                REALM_URL,
                                "--proxy",
                                PROXY,
                                "--ca",
                                ClientPods.CA_DIR + "/ca.crt",
                                "--channel",
                                channel,
                                "--expect",
                                String.valueOf(EVENTS),
                                "--timeout",
                                "300s",
                                "--reconnect",
                                "true")),
                ClientPods.mounts(CA),
                Map.of());
        Awaitility.await()
                .atMost(120, TimeUnit.SECONDS)
                .pollInterval(500, TimeUnit.MILLISECONDS)
                .until(() -> pods.log(CLIENTS, name), l -> l.contains("subscribed channel="));
    }

    private void startPublisher(String name, String channel) {
        pods.start(
                CLIENTS,
                name,
                ClientPods.REALM_IMAGE,
                ClientPods.javaCommand(
                        List.of(
                                "--url",
                                REALM_URL,
                                "--proxy",
                                PROXY,
                                "--ca",
                                ClientPods.CA_DIR + "/ca.crt",
                                "--channel",
                                channel,
                                "--subscribe",
                                "false",
                                "--publish",
                                String.valueOf(EVENTS),
                                "--interval",
                                INTERVAL,
                                "--timeout",
                                "280s",
                                "--reconnect",
                                "true")),
                ClientPods.mounts(CA),
                Map.of());
    }

    private int eventsSeen(String subscriber) {
        return ReferenceScenarioOnClusterTest.eventIds(pods.log(CLIENTS, subscriber)).size();
    }

    private Set<String> realmPodUids() {
        return client
                .pods()
                .inNamespace(NS)
                .withLabel("app.kubernetes.io/instance", "quotes")
                .list()
                .getItems()
                .stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .map(Pod::getMetadata)
                .map(m -> m.getUid())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static List<Long> ids(String pattern, String log) {
        Matcher m = Pattern.compile(pattern).matcher(log);
        List<Long> ids = new ArrayList<>();
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    private static List<Long> range(int count) {
        List<Long> ids = new ArrayList<>();
        for (long i = 1; i <= count; i++) {
            ids.add(i);
        }
        return ids;
    }
}
