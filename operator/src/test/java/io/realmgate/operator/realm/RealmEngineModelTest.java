package io.realmgate.operator.realm;

import static io.realmgate.operator.realm.RealmFixtures.model;
import static io.realmgate.operator.realm.RealmFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmEngine;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.operator.api.RealmRedis;
import io.realmgate.operator.api.RealmRetentionSpec;
import io.realmgate.operator.status.Conditions;
import io.realmgate.realm.config.CommandLine;
import io.realmgate.realm.config.RealmConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Realm on the memory or redis engine: its rendered realm.yaml read back by the realm's own
 * parser ({@link CommandLine}, {@code --config}) into the {@link RealmConfig} the realm would run
 * with, the Deployment's strategy and mounts, the disruption budget and the status.
 */
class RealmEngineModelTest {
    private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");

    @TempDir Path root;

    private static Realm redisRealm(int replicas) {
        Realm realm = prices();
        realm.getSpec().replicas = replicas;
        realm.getSpec().engine = new RealmEngine();
        realm.getSpec().engine.type = RealmEngine.Type.REDIS;
        realm.getSpec().engine.redis = new RealmRedis();
        realm.getSpec().engine.redis.url = "redis://redis.apps.svc:6379";
        realm.getSpec().engine.redis.passwordSecretRef = new RealmRedis.PasswordSecretRef();
        realm.getSpec().engine.redis.passwordSecretRef.name = "redis-auth";
        return realm;
    }

    /**
     * The rendered file, its /etc/realmgate paths moved under the test's root where the mounted
     * files are made, parsed as the realm parses {@code --config FILE}.
     */
    private RealmConfig load(RealmModel model) throws Exception {
        for (String file :
                List.of(
                        "etc/realmgate/tls/tls.crt",
                        "etc/realmgate/tls/tls.key",
                        "etc/realmgate/redis-auth/password",
                        "etc/realmgate/redis-ca/ca.crt")) {
            Files.createDirectories(root.resolve(file).getParent());
            Files.writeString(root.resolve(file), "x");
        }
        Path config = root.resolve("realm.yaml");
        Files.writeString(
                config,
                model.renderedConfig().replace("/etc/realmgate/", root + "/etc/realmgate/"));
        return CommandLine.parse("--config", config.toString());
    }

    @Test
    void aMemoryRealmsConfigFileIsWhatTheRealmReads() throws Exception {
        RealmModel model = model(prices(), "1");
        assertThat(model.renderedConfig()).doesNotContain("redis");
        RealmConfig config = load(model);
        assertThat(config.engine()).isEqualTo(RealmConfig.MEMORY);
        assertThat(config.redisUrl()).isNull();
        assertThat(config.bind()).isEqualTo("::");
        assertThat(config.wsPort()).isEqualTo(9000);
        assertThat(config.wssPort()).isEqualTo(9443);
        assertThat(config.tlsCert()).isEqualTo(root.resolve("etc/realmgate/tls/tls.crt"));
        assertThat(config.adminHost()).isEqualTo("::");
        assertThat(config.adminPort()).isEqualTo(8080);
        // Sized for the default 512Mi pod (RealmRetention, RealmCapacity) and for a proxy pod
        // (per-client caps: one proxy pod may use every connection, never less than the realm's
        // own per-client default).
        assertThat(config.retainEvents()).isEqualTo(1000);
        assertThat(config.retainBytes()).isEqualTo(256 * 1024);
        assertThat(config.queueBytes()).isEqualTo(512 * 1024);
        assertThat(config.maxChannels()).isEqualTo(65);
        assertThat(config.maxConnections()).isEqualTo(384);
        assertThat(config.maxConnectionsPerClient()).isEqualTo(1000);
        assertThat(config.maxStreamsPerClient()).isEqualTo(5000);

        Deployment deployment = model.deployment();
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate()).isNull();
        assertThat(model.hasDisruptionBudget()).isFalse();
        assertThat(model.configMap().getMetadata().getName()).isEqualTo("prices-realm-config");
        assertThat(model.configMap().getData()).containsOnlyKeys("realm.yaml");
    }

    @Test
    void theConnectionCapSizedForTheMemoryIsWhatTheRealmReads() throws Exception {
        Realm realm = prices();
        realm.getSpec().resources =
                new ResourceRequirementsBuilder()
                        .withLimits(Map.of("memory", new Quantity("1Gi")))
                        .build();
        RealmConfig sized = load(model(realm, "1"));
        assertThat(sized.maxConnections()).as("1Gi (RealmCapacity)").isEqualTo(769);
        assertThat(sized.maxConnectionsPerClient()).isEqualTo(1000);

        realm.getSpec().engine = new RealmEngine();
        realm.getSpec().engine.type = RealmEngine.Type.REDIS;
        realm.getSpec().engine.redis = new RealmRedis();
        realm.getSpec().engine.redis.url = "redis://redis.apps.svc:6379";
        assertThat(load(model(realm, "1")).maxConnections())
                .as("redis: a replay read for each subscriber, 204.5 MiB / 528 KiB")
                .isEqualTo(396);

        realm.getSpec().limits = new RealmLimits();
        realm.getSpec().limits.maxConnections = 50_000;
        RealmConfig set = load(model(realm, "1"));
        assertThat(set.maxConnections()).as("as written, above what fits").isEqualTo(50_000);
        assertThat(set.maxConnectionsPerClient()).isEqualTo(20_000);
    }

    @Test
    void aRedisRealmsConfigFileNamesTheMountedPasswordAndItsOwnKeyPrefix() throws Exception {
        Realm realm = redisRealm(3);
        realm.getSpec().engine.redis.url = "rediss://redis.apps.svc:6380/2";
        realm.getSpec().engine.redis.caSecretRef = new RealmRedis.CaSecretRef();
        realm.getSpec().engine.redis.caSecretRef.name = "redis-ca";
        realm.getSpec().limits = new RealmLimits();
        realm.getSpec().limits.maxConnections = 2000;
        realm.getSpec().limits.headerTimeout = "5s";
        realm.getSpec().allowedOrigins = List.of("https://app.example.com");

        RealmConfig config = load(model(realm, "1"));
        assertThat(config.engine()).isEqualTo(RealmConfig.REDIS);
        assertThat(config.redisUrl().value()).isEqualTo("rediss://redis.apps.svc:6380/2");
        assertThat(config.redisPasswordFile())
                .isEqualTo(root.resolve("etc/realmgate/redis-auth/password"));
        assertThat(config.redisCaFile()).isEqualTo(root.resolve("etc/realmgate/redis-ca/ca.crt"));
        assertThat(config.redisKeyPrefix()).isEqualTo("realmgate:apps/prices");
        assertThat(config.maxConnections()).isEqualTo(2000);
        assertThat(config.maxConnectionsPerClient()).isEqualTo(2000);
        assertThat(config.headerTimeout()).hasSeconds(5);
        assertThat(config.allowedOrigins()).containsExactly("https://app.example.com:443");

        realm.getSpec().engine.redis.keyPrefix = "shared-quotes";
        assertThat(load(model(realm, "1")).redisKeyPrefix()).isEqualTo("shared-quotes");
    }

    @Test
    void theSpecsRetentionAndQueuesAreWhatTheRealmReads() throws Exception {
        Realm realm = redisRealm(2);
        realm.getSpec().retention = new RealmRetentionSpec();
        realm.getSpec().retention.events = 5000;
        realm.getSpec().retention.bytes = "2MiB";
        realm.getSpec().retention.age = "90s";
        realm.getSpec().limits = new RealmLimits();
        realm.getSpec().limits.maxMessage = "128KiB";
        realm.getSpec().limits.maxChannels = 40;
        realm.getSpec().limits.queueEvents = 6000;
        realm.getSpec().limits.queueBytes = "3MiB";

        RealmConfig config = load(model(realm, "1"));
        assertThat(config.retainEvents()).isEqualTo(5000);
        assertThat(config.retainBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(config.retainAge()).hasSeconds(90);
        assertThat(config.maxMessageBytes()).isEqualTo(128 * 1024);
        assertThat(config.maxChannels()).isEqualTo(40);
        assertThat(config.queueEvents()).isEqualTo(6000);
        assertThat(config.queueBytes()).isEqualTo(3 * 1024 * 1024);

        // A memory realm: no age; the queue follows the retention the user set.
        Realm memory = prices();
        memory.getSpec().retention = new RealmRetentionSpec();
        memory.getSpec().retention.bytes = "384KiB";
        RealmConfig memoryConfig = load(model(memory, "1"));
        assertThat(memoryConfig.retainAge()).isNull();
        assertThat(memoryConfig.retainBytes()).isEqualTo(384 * 1024);
        assertThat(memoryConfig.queueBytes()).isEqualTo(768 * 1024);
        assertThat(memoryConfig.maxMessageBytes()).isEqualTo(64 * 1024);
    }

    @Test
    void twoRealmsOfOneNameInTwoNamespacesGetTwoKeyPrefixes() {
        Realm a = redisRealm(1);
        Realm b = redisRealm(1);
        b.getMetadata().setNamespace("staging");
        assertThat(model(a, "1").configDocument().redis.keyPrefix)
                .isEqualTo("realmgate:apps/prices");
        assertThat(model(b, "1").configDocument().redis.keyPrefix)
                .isEqualTo("realmgate:staging/prices");
    }

    @Test
    void theRedisPasswordIsASecretKeyMountedAsAFileNeverInTheConfigMap() {
        Realm realm = redisRealm(3);
        realm.getSpec().engine.redis.passwordSecretRef.key = "redis-password";
        RealmModel model = model(realm, "1");
        PodSpec pod = model.deployment().getSpec().getTemplate().getSpec();
        Volume auth =
                pod.getVolumes().stream()
                        .filter(v -> v.getName().equals("redis-auth"))
                        .findFirst()
                        .orElseThrow();
        assertThat(auth.getSecret().getSecretName()).isEqualTo("redis-auth");
        assertThat(auth.getSecret().getItems())
                .extracting(i -> i.getKey() + "->" + i.getPath())
                .containsExactly("redis-password->password");
        assertThat(auth.getSecret().getDefaultMode()).isEqualTo(0440);
        assertThat(pod.getContainers().get(0).getVolumeMounts())
                .extracting(m -> m.getName() + ":" + m.getMountPath() + ":" + m.getReadOnly())
                .contains("redis-auth:/etc/realmgate/redis-auth:true");
        assertThat(model.renderedConfig())
                .contains("passwordFile: /etc/realmgate/redis-auth/password")
                .doesNotContain("redis-password");
    }

    @Test
    void aRedisRealmRollsANewPodInBeforeAnOldOneGoesAndHasABudgetAboveOneReplica() {
        RealmModel three = model(redisRealm(3), "1");
        DeploymentStrategy strategy = three.deployment().getSpec().getStrategy();
        assertThat(strategy.getType()).isEqualTo("RollingUpdate");
        assertThat(strategy.getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(strategy.getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
        assertThat(three.deployment().getSpec().getReplicas()).isEqualTo(3);
        assertThat(three.hasDisruptionBudget()).isTrue();
        assertThat(three.disruptionBudget().getMetadata().getName()).isEqualTo("prices-realm");
        assertThat(three.disruptionBudget().getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(three.disruptionBudget().getSpec().getSelector().getMatchLabels())
                .isEqualTo(three.deployment().getSpec().getSelector().getMatchLabels());
        assertThat(
                        three.deployment()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getTopologySpreadConstraints())
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                            assertThat(c.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
                        });
        assertThat(model(redisRealm(1), "1").hasDisruptionBudget()).isFalse();
        // Scaling changes no pod template: the pods that run are kept.
        assertThat(model(redisRealm(5), "1").deployment().getSpec().getTemplate())
                .isEqualTo(three.deployment().getSpec().getTemplate());
    }

    @Test
    void theRestartHashFollowsTheRenderedConfigOnly() {
        String hash = model(redisRealm(3), "1").restartHash();
        assertThat(model(redisRealm(3), "2", "edge").restartHash())
                .as("a renewed certificate or a new proxy rolls no pod")
                .isEqualTo(hash);
        Realm other = redisRealm(3);
        other.getSpec().engine.redis.url = "redis://redis-2.apps.svc:6379";
        assertThat(model(other, "1").restartHash()).isNotEqualTo(hash);
        assertThat(model(prices(), "1").restartHash()).isNotEqualTo(hash);
    }

    @Test
    void aRedisRealmNotAvailableSaysWhereItsRedisIsAndWhereTheCauseIs() {
        RealmModel model = model(redisRealm(3), "1");
        Deployment deployment =
                new DeploymentBuilder()
                        .withMetadata(
                                new ObjectMetaBuilder()
                                        .withName("prices-realm")
                                        .withGeneration(1L)
                                        .build())
                        .withNewStatus()
                        .withObservedGeneration(1L)
                        .withUpdatedReplicas(3)
                        .withAvailableReplicas(1)
                        .endStatus()
                        .build();
        var status = RealmStatusModel.next(model, deployment, NOW);
        assertThat(status.engine).isEqualTo("redis");
        Condition ready = Conditions.find(status.conditions, Conditions.READY);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("DeploymentNotAvailable");
        assertThat(ready.getMessage())
                .startsWith("Deployment prices-realm: 1/3 replicas available")
                .contains("reaches Redis at redis://redis.apps.svc:6379")
                .contains("/readyz");

        Condition memory =
                Conditions.find(
                        RealmStatusModel.next(model(prices(), "1"), deployment, NOW).conditions,
                        Conditions.READY);
        assertThat(memory.getMessage()).doesNotContain("Redis");
    }
}
