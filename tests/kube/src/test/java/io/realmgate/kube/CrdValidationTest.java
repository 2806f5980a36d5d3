package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.realm.config.Origins;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The API server itself, with the CRDs from crds/, refuses Realms and ForwardProxies that break the
 * schema or its CEL rules, with a message naming the field (what the Fabric8 mock server, which
 * validates nothing, cannot show), and stores what it accepts with the schema's defaults filled in.
 */
@ExtendWith(KubeApiExtension.class)
class CrdValidationTest {

    private static final String NS = "crd-validation";
    private static KubernetesClient client;

    @BeforeAll
    static void installCrds(KubernetesClient admin) {
        client = admin;
        OperatorHarness.installCrds(client);
        OperatorHarness.ensureNamespace(client, NS);
    }

    private static GenericKubernetesResource create(String yaml) {
        GenericKubernetesResource object = RealmgateResources.parse(client, yaml);
        var kind =
                "Realm".equals(object.getKind())
                        ? RealmgateResources.realms(client)
                        : RealmgateResources.forwardProxies(client);
        return kind.inNamespace(NS).resource(object).create();
    }

    private static KubernetesClientException refused(String yaml) {
        KubernetesClientException e =
                catchThrowableOfType(KubernetesClientException.class, () -> create(yaml));
        assertThat(e).as("the API server must refuse:\n%s", yaml).isNotNull();
        assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
        return e;
    }

    /** The single cause the API server gives: its field and message. */
    private static StatusCause onlyCause(KubernetesClientException e) {
        assertThat(e.getStatus().getDetails().getCauses()).as(e.getMessage()).hasSize(1);
        return e.getStatus().getDetails().getCauses().get(0);
    }

    @Test
    void minimalRealmIsStoredWithTheSchemaDefaults() {
        GenericKubernetesResource created =
                create(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: minimal}
        spec: {}
        """);
        Map<String, Object> spec = created.get("spec");
        // Filled in by the API server from the CRD, not by a client: what is stored is what GitOps
        // tools see.
        assertThat(spec)
                .isEqualTo(
                        Map.of(
                                "replicas", 1,
                                "engine", Map.of("type", "memory"),
                                "webSocket", Map.of("enabled", true, "port", 9000),
                                "secureWebSocket", Map.of("enabled", true, "port", 9443)));
    }

    @Test
    void realmAPartialListenerGetsTheRestDefaulted() {
        GenericKubernetesResource created =
                create(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: partial}
        spec:
          webSocket: {enabled: false}
          secureWebSocket: {port: 8443}
        """);
        Map<String, Object> spec = created.get("spec");
        assertThat(spec)
                .containsEntry("webSocket", Map.of("enabled", false, "port", 9000))
                .containsEntry("secureWebSocket", Map.of("enabled", true, "port", 8443));
    }

    @Test
    void realmPortOutOfRangeIsRefusedNamingTheField() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: bad-port}
        spec:
          secureWebSocket: {port: 0}
        """);
        assertThat(e.getMessage())
                .contains(
                        "Realm.realmgate.io \"bad-port\" is invalid: spec.secureWebSocket.port: "
                                + "Invalid value: 0: spec.secureWebSocket.port in body should be greater than or equal to 1");
        assertThat(onlyCause(e).getField()).isEqualTo("spec.secureWebSocket.port");
    }

    @Test
    void realmCelRuleRefusesARealmWithNoListener() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: no-listener}
        spec:
          webSocket: {enabled: false}
          secureWebSocket: {enabled: false}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec: Invalid value: \"object\": at least one of webSocket and secureWebSocket must be enabled");
        assertThat(onlyCause(e).getField()).isEqualTo("spec");
    }

    @Test
    void realmCelRuleRefusesTwoListenersOnOnePort() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: same-port}
        spec:
          webSocket: {port: 9443}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec: Invalid value: \"object\": webSocket.port and secureWebSocket.port must differ");
    }

    @Test
    void realmReplicasOutOfRangeIsRefused() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: many}
        spec: {replicas: 101}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.replicas: Invalid value: 101: spec.replicas in body should be less than or equal to 100");
    }

    @Test
    void aMemoryRealmWithTwoReplicasIsRefusedNamingTheFieldAndWhy() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: two-hubs}
        spec: {replicas: 2}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.replicas: Invalid value: \"object\": spec.replicas must be 0 or 1 with engine "
                                + "memory: a memory realm is one process; several replicas would be unrelated realms");
        assertThat(onlyCause(e).getField()).isEqualTo("spec.replicas");

        KubernetesClientException explicit =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: two-hubs}
        spec:
          engine: {type: memory}
          replicas: 2
        """);
        assertThat(onlyCause(explicit).getField()).isEqualTo("spec.replicas");
    }

    @Test
    void aMemoryRealmWithZeroOrOneReplicaIsStoredWithItsEngine() {
        for (int replicas : new int[] {0, 1}) {
            GenericKubernetesResource created =
                    create(
                            """
            apiVersion: realmgate.io/v1alpha1
            kind: Realm
            metadata: {name: one-hub-%d}
            spec:
              replicas: %d
              engine: {}
            """
                                    .formatted(replicas, replicas));
            Map<String, Object> spec = created.get("spec");
            assertThat(spec)
                    .containsEntry("replicas", replicas)
                    .containsEntry("engine", Map.of("type", "memory"));
        }
    }

    @Test
    void anUnknownEngineIsRefusedNamingTheField() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: other-engine}
        spec:
          engine: {type: disk}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.engine.type: Unsupported value: \"disk\": supported values: \"memory\", \"redis\"");
        assertThat(e.getStatus().getDetails().getCauses())
                .extracting(StatusCause::getField)
                .contains("spec.engine.type");
    }

    @Test
    void aRedisRealmMayHaveSeveralReplicasAndItsFieldsAreKeptWithDefaults() {
        GenericKubernetesResource created =
                create(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: redis-three}
        spec:
          replicas: 3
          engine:
            type: redis
            redis:
              url: rediss://redis.feeds.svc:6380/1
              passwordSecretRef: {name: redis-auth}
              caSecretRef: {name: redis-ca}
              keyPrefix: quotes
        """);
        Map<String, Object> spec = created.get("spec");
        assertThat(spec).containsEntry("replicas", 3);
        assertThat(created.<Object>get("spec", "engine", "redis", "passwordSecretRef"))
                .isEqualTo(Map.of("name", "redis-auth", "key", "password"));
        assertThat(created.<Object>get("spec", "engine", "redis", "caSecretRef"))
                .isEqualTo(Map.of("name", "redis-ca", "key", "ca.crt"));
        create(
                """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: redis-sentinel}
        spec:
          replicas: 2
          engine:
            type: redis
            redis: {url: "redis-sentinel://s1.feeds.svc:26379,s2.feeds.svc:26379#quotes"}
        """);
    }

    @Test
    void aRedisEngineWithoutItsUrlIsRefusedNamingTheField() {
        KubernetesClientException noRedis =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: redis-nothing}
        spec:
          engine: {type: redis}
        """);
        assertThat(noRedis.getMessage())
                .contains(
                        "spec.engine.redis (with spec.engine.redis.url) is required with spec.engine.type redis");
        KubernetesClientException noUrl =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: redis-no-url}
        spec:
          engine: {type: redis, redis: {keyPrefix: x}}
        """);
        assertThat(noUrl.getMessage()).contains("spec.engine.redis.url: Required value");
    }

    @Test
    void aPasswordInTheRedisUrlIsRefusedPointingAtTheSecretRef() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: redis-password}
        spec:
          engine: {type: redis, redis: {url: "redis://:hunter2@redis.feeds.svc:6379"}}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.engine.redis.url must not hold a user or password (no '@'): put the password in a"
                                + " Secret and name it in spec.engine.redis.passwordSecretRef");
        assertThat(onlyCause(e).getField()).isEqualTo("spec.engine.redis.url");
    }

    @Test
    void badRedisFieldsAreRefusedNamingTheField() {
        assertThat(
                        refused(
                                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: redis-http}
        spec:
          engine: {type: redis, redis: {url: "http://redis.feeds.svc:6379"}}
        """)
                                .getMessage())
                .contains("spec.engine.redis.url: Invalid value");
        KubernetesClientException ca =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: redis-plain-ca}
        spec:
          engine:
            type: redis
            redis: {url: "redis://redis.feeds.svc:6379", caSecretRef: {name: redis-ca}}
        """);
        assertThat(ca.getMessage())
                .contains("spec.engine.redis.caSecretRef is only for a TLS Redis");
        assertThat(onlyCause(ca).getField()).isEqualTo("spec.engine.redis.caSecretRef");
        assertThat(
                        refused(
                                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: redis-prefix}
        spec:
          engine: {type: redis, redis: {url: "redis://r:6379", keyPrefix: "a b"}}
        """)
                                .getMessage())
                .contains("spec.engine.redis.keyPrefix: Invalid value");
    }

    @Test
    void redisSettingsWithTheMemoryEngineAreRefusedNamingTheField() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: memory-with-redis}
        spec:
          engine: {type: memory, redis: {url: "redis://redis.feeds.svc:6379"}}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.engine.redis is only for spec.engine.type redis: remove it, or set"
                                + " spec.engine.type to redis");
        assertThat(onlyCause(e).getField()).isEqualTo("spec.engine.redis");
    }

    @Test
    void realmBadSecretNameAndBadCidrAreRefusedTogether() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: bad-names}
        spec:
          tls: {secretName: My_Secret}
          clients:
            ipBlocks: [10.0.0.0/8, 10.1.2.3/33]
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.tls.secretName: Invalid value: \"My_Secret\": spec.tls.secretName in body should match "
                                + "'^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$'")
                .contains(
                        "spec.clients.ipBlocks: Invalid value: \"array\": "
                                + "every ipBlocks entry must be a CIDR such as 10.0.0.0/8");
        assertThat(e.getStatus().getDetails().getCauses())
                .extracting(StatusCause::getField)
                .containsExactlyInAnyOrder("spec.tls.secretName", "spec.clients.ipBlocks");
    }

    @Test
    void anExposedRealmIsStoredWithItsExposure() {
        GenericKubernetesResource created =
                create(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: exposed}
        spec:
          expose:
            type: NodePort
            nodePort: 30443
            hostnames: [realm.example.com, "*.realms.example.com", 10.244.0.1, "fd00::1"]
            from: [203.0.113.0/24]
            annotations: {example.com/team: trading}
        """);
        assertThat(created.get("spec", "expose", "type").toString()).isEqualTo("NodePort");
        assertThat(created.get("spec", "expose", "nodePort").toString()).isEqualTo("30443");
        assertThat(created.get("spec", "expose", "hostnames").toString())
                .isEqualTo("[realm.example.com, *.realms.example.com, 10.244.0.1, fd00::1]");
    }

    @Test
    void aNodePortOutsideTheRangeOrOnATlsRouteIsRefusedNamingTheField() {
        KubernetesClientException low =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: low-port}
        spec:
          expose: {type: NodePort, nodePort: 8443}
        """);
        assertThat(low.getMessage())
                .contains(
                        "spec.expose.nodePort must be within 30000-32767, Kubernetes' default NodePort"
                                + " range");
        assertThat(onlyCause(low).getField()).isEqualTo("spec.expose.nodePort");

        KubernetesClientException route =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: route-port}
        spec:
          expose:
            type: TLSRoute
            nodePort: 30443
            hostnames: [realm.example.com]
            parentRefs: [{name: edge}]
        """);
        assertThat(route.getMessage())
                .contains("spec.expose.nodePort is only for type NodePort or LoadBalancer");
        assertThat(onlyCause(route).getField()).isEqualTo("spec.expose.nodePort");
    }

    @Test
    void aTlsRouteWithoutGatewayOrHostnamesIsRefusedNamingBothFields() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: bare-route}
        spec:
          expose: {type: TLSRoute}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.expose.parentRefs (the Gateway with a TLS passthrough listener) is"
                                + " required with type TLSRoute")
                .contains("spec.expose.hostnames is required with type TLSRoute");
        assertThat(e.getStatus().getDetails().getCauses())
                .extracting(StatusCause::getField)
                .containsExactlyInAnyOrder("spec.expose.parentRefs", "spec.expose.hostnames");
    }

    @Test
    void exposureFieldsOfAnotherTypeBadNamesAndCidrsAreRefusedNamingTheField() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: mixed}
        spec:
          expose:
            type: NodePort
            loadBalancerClass: example.com/lb
            parentRefs: [{name: edge}]
            hostnames: [Realm_Example.com]
            from: [203.0.113.0/33]
        """);
        assertThat(e.getMessage())
                .contains("spec.expose.loadBalancerClass is only for type LoadBalancer")
                .contains("spec.expose.parentRefs is only for type TLSRoute")
                .contains(
                        "every spec.expose.hostnames entry must be a lower-case DNS name"
                                + " (optionally *.-prefixed) or an IP address")
                .contains("every spec.expose.from entry must be a CIDR such as 203.0.113.0/24");
        assertThat(e.getStatus().getDetails().getCauses())
                .extracting(StatusCause::getField)
                .containsExactlyInAnyOrder(
                        "spec.expose.loadBalancerClass",
                        "spec.expose.parentRefs",
                        "spec.expose.hostnames",
                        "spec.expose.from");
    }

    @Test
    void exposingARealmWithoutItsWssListenerIsRefused() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: plain-exposed}
        spec:
          secureWebSocket: {enabled: false}
          expose: {type: LoadBalancer}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.expose needs spec.secureWebSocket.enabled: only the wss listener is"
                                + " exposed outside the cluster");
        assertThat(onlyCause(e).getField()).isEqualTo("spec.expose");
    }

    @Test
    void realmWrongTypeIsRefused() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: wrong-type}
        spec:
          webSocket: {enabled: "yes"}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.webSocket.enabled: Invalid value: \"string\": "
                                + "spec.webSocket.enabled in body must be of type boolean: \"string\"");
    }

    @Test
    void minimalForwardProxyIsStoredWithTheSchemaDefaults() {
        GenericKubernetesResource created =
                create(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: minimal}
        spec: {}
        """);
        Map<String, Object> spec = created.get("spec");
        assertThat(spec)
                .isEqualTo(
                        Map.of(
                                "port",
                                3128,
                                "replicas",
                                2,
                                "via",
                                true,
                                "startup",
                                Map.of("warmUpTunnels", 4000, "compiler", "C1")));
    }

    @Test
    void forwardProxyValidTargetsAreAccepted() {
        GenericKubernetesResource created =
                create(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: valid}
        spec:
          allowConnect:
            - realm: prices
            - host: api.partner.example
              ports: [443]
            - host: 10.0.0.0/8
              ports: [9443]
          clients:
            ipBlocks: [10.0.0.0/8, "fd00::/8"]
          auth:
            basicSecretRef: {name: proxy-users}
        """);
        Map<String, Object> spec = created.get("spec");
        assertThat(spec)
                .containsEntry(
                        "auth",
                        Map.of("basicSecretRef", Map.of("name", "proxy-users", "key", "users")));
    }

    @Test
    void forwardProxyPortOutOfRangeIsRefusedNamingTheField() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: bad-port}
        spec: {port: 70000}
        """);
        assertThat(e.getMessage())
                .contains(
                        "ForwardProxy.realmgate.io \"bad-port\" is invalid: spec.port: Invalid value: 70000: "
                                + "spec.port in body should be less than or equal to 65535");
        assertThat(onlyCause(e).getField()).isEqualTo("spec.port");
    }

    @Test
    void forwardProxyTargetPortOutOfRangeIsRefusedNamingTheList() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: bad-target-port}
        spec:
          allowConnect:
            - host: api.partner.example
              ports: [443, 0]
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.allowConnect[0].ports: Invalid value: \"array\": every port must be 1-65535");
        assertThat(onlyCause(e).getField()).isEqualTo("spec.allowConnect[0].ports");
    }

    @Test
    void forwardProxyCelRuleRefusesBothHostAndRealm() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: both}
        spec:
          allowConnect:
            - realm: prices
            - realm: quotes
              host: api.partner.example
              ports: [443]
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.allowConnect[1]: Invalid value: \"object\": exactly one of host and realm must be set");
        assertThat(onlyCause(e).getField()).isEqualTo("spec.allowConnect[1]");
    }

    @Test
    void forwardProxyCelRuleRefusesNeitherHostNorRealm() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: neither}
        spec:
          allowConnect:
            - ports: [443]
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.allowConnect[0]: Invalid value: \"object\": exactly one of host and realm must be set");
    }

    @Test
    void forwardProxyCelRuleRefusesAHostWithoutPorts() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: host-no-ports}
        spec:
          allowConnect:
            - host: api.partner.example
            - host: api2.partner.example
              ports: []
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.allowConnect[0]: Invalid value: \"object\": ports are required for a host target")
                .contains(
                        "spec.allowConnect[1]: Invalid value: \"object\": ports are required for a host target");
    }

    @Test
    void forwardProxyBadHostAndRealmNamesAreRefusedByPattern() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: bad-names}
        spec:
          allowConnect:
            - host: "evil.example:443"
              ports: [443]
            - realm: Prices
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.allowConnect[1].realm: Invalid value: \"Prices\": spec.allowConnect[1].realm in body "
                                + "should match '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'");
        assertThat(e.getStatus().getDetails().getCauses())
                .extracting(StatusCause::getField)
                .contains("spec.allowConnect[1].realm");
    }

    @Test
    void forwardProxyIpBlocksMustBeCidrs() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: bad-cidr}
        spec:
          clients:
            ipBlocks: [10.0.0.0/8, 10.0.0.1]
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.clients.ipBlocks: Invalid value: \"array\": "
                                + "every ipBlocks entry must be a CIDR such as 10.0.0.0/8");
        assertThat(onlyCause(e).getField()).isEqualTo("spec.clients.ipBlocks");
    }

    @Test
    void forwardProxyReplicasOutOfRangeIsRefused() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: negative}
        spec: {replicas: -1}
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0");
    }

    @Test
    void forwardProxyTransparentListenerNeedsItsOwnPort() {
        KubernetesClientException same =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: same-port}
        spec:
          port: 9443
          transparent: {port: 9443}
        """);
        assertThat(same.getMessage())
                .contains(
                        "spec: Invalid value: \"object\": transparent.port must differ from port");

        KubernetesClientException missing =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: no-transparent-port}
        spec:
          transparent: {targetPort: 9443}
        """);
        assertThat(missing.getMessage()).contains("spec.transparent.port: Required value");
    }

    @Test
    void forwardProxyAuthNeedsASecretReference() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: auth-without-secret}
        spec:
          auth:
            basicSecretRef: {key: users}
        """);
        assertThat(e.getMessage()).contains("spec.auth.basicSecretRef.name: Required value");
    }

    @Test
    void forwardProxyTooManyTargetsAreRefused() {
        StringBuilder yaml =
                new StringBuilder(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: too-many}
        spec:
          allowConnect:
        """);
        for (int i = 0; i < 65; i++) {
            yaml.append("    - {host: h").append(i).append(".example, ports: [443]}\n");
        }
        KubernetesClientException e = refused(yaml.toString());
        assertThat(e.getMessage())
                .contains("spec.allowConnect: Too many: 65: must have at most 64 items");
    }

    @Test
    void realmLimitsAndAllowedOriginsAreStoredAsWrittenWithNothingDefaulted() {
        GenericKubernetesResource created =
                create(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: limited}
        spec:
          limits:
            maxConnections: 20000
            maxConnectionsPerClient: 20000
            headerTimeout: 750ms
            replayRate: 50000
            maxStreams: 8000
            maxStreamsPerClient: 100
            maxPolls: 8000
            maxPollsPerClient: 8000
          allowedOrigins:
            - https://app.example.com
            - http://localhost:8080
            - http://10.1.2.3:3000
            - http://127.0.0.1:65535
        """);
        Map<String, Object> spec = created.get("spec");
        assertThat(spec)
                .containsEntry(
                        "limits",
                        Map.of(
                                "maxConnections",
                                20000,
                                "maxConnectionsPerClient",
                                20000,
                                "headerTimeout",
                                "750ms",
                                "replayRate",
                                50000,
                                "maxStreams",
                                8000,
                                "maxStreamsPerClient",
                                100,
                                "maxPolls",
                                8000,
                                "maxPollsPerClient",
                                8000));
        assertThat(spec)
                .containsEntry(
                        "allowedOrigins",
                        List.of(
                                "https://app.example.com",
                                "http://localhost:8080",
                                "http://10.1.2.3:3000",
                                "http://127.0.0.1:65535"));
        // What the API server accepts, the realm accepts at start (else its pods would crash-loop
        // on the flag).
        for (String origin :
                List.of(
                        "https://app.example.com",
                        "http://localhost:8080",
                        "http://10.1.2.3:3000",
                        "http://127.0.0.1:65535",
                        "https://A-1.Example.COM",
                        "http://x",
                        "http://0.0.0.0:1",
                        "https://x1.y-2.z")) {
            create(
                    """
          apiVersion: realmgate.io/v1alpha1
          kind: Realm
          metadata: {generateName: origin-}
          spec:
            allowedOrigins: ["%s"]
          """
                            .formatted(origin));
            assertThat(Origins.canonical(origin)).as(origin).isNotNull();
        }

        GenericKubernetesResource partial =
                create(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: partly-limited}
        spec:
          limits: {headerTimeout: 2m}
        """);
        Map<String, Object> partialSpec = partial.get("spec");
        assertThat(partialSpec)
                .as("no schema default: absent means the realm's default, or sized by the operator")
                .containsEntry("limits", Map.of("headerTimeout", "2m"));
    }

    @Test
    void realmLimitsOutOfRangeAreRefusedNamingEachField() {
        KubernetesClientException e =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: bad-limits}
        spec:
          limits:
            maxConnections: 0
            replayRate: 1000001
            maxPollsPerClient: -5
        """);
        assertThat(e.getMessage())
                .contains(
                        "spec.limits.maxConnections: Invalid value: 0: spec.limits.maxConnections in body should be "
                                + "greater than or equal to 1")
                .contains(
                        "spec.limits.replayRate: Invalid value: 1000001: spec.limits.replayRate in body should be "
                                + "less than or equal to 1000000")
                .contains(
                        "spec.limits.maxPollsPerClient: Invalid value: -5: spec.limits.maxPollsPerClient in body should "
                                + "be greater than or equal to 1");
        assertThat(e.getStatus().getDetails().getCauses())
                .extracting(StatusCause::getField)
                .containsExactlyInAnyOrder(
                        "spec.limits.maxConnections",
                        "spec.limits.replayRate",
                        "spec.limits.maxPollsPerClient");
    }

    @Test
    void realmHeaderTimeoutMustBeADurationOfTheRealm() {
        for (String bad : new String[] {"10", "5ms", "1h", "1.5s", "0s", "10 s", "-1s"}) {
            KubernetesClientException e =
                    refused(
                            """
          apiVersion: realmgate.io/v1alpha1
          kind: Realm
          metadata: {name: bad-timeout}
          spec:
            limits: {headerTimeout: "%s"}
          """
                                    .formatted(bad));
            assertThat(e.getMessage())
                    .as(bad)
                    .contains(
                            "spec.limits.headerTimeout: Invalid value: \""
                                    + bad
                                    + "\": "
                                    + "spec.limits.headerTimeout in body should match");
            assertThat(onlyCause(e).getField()).isEqualTo("spec.limits.headerTimeout");
        }
    }

    @Test
    void realmPerClientCapAboveItsTotalIsRefusedByTheCelRules() {
        KubernetesClientException explicitTotal =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: per-client-over}
        spec:
          limits: {maxStreams: 100, maxStreamsPerClient: 101}
        """);
        assertThat(explicitTotal.getMessage())
                .contains(
                        "spec.limits: Invalid value: \"object\": "
                                + "limits.maxStreamsPerClient must not exceed limits.maxStreams (default 5000)");
        assertThat(onlyCause(explicitTotal).getField()).isEqualTo("spec.limits");

        KubernetesClientException defaultTotals =
                refused(
                        """
        apiVersion: realmgate.io/v1alpha1
        kind: Realm
        metadata: {name: per-client-over-default}
        spec:
          limits: {maxConnectionsPerClient: 10001, maxPollsPerClient: 5001}
        """);
        assertThat(defaultTotals.getMessage())
                .contains(
                        "limits.maxConnectionsPerClient must not exceed limits.maxConnections (default 10000)")
                .contains(
                        "limits.maxPollsPerClient must not exceed limits.maxPolls (default 5000)");
    }

    @Test
    void realmAllowedOriginsMustBeOriginsNamingTheEntry() {
        for (String bad :
                new String[] {
                    "*",
                    "app.example.com",
                    "https://app.example.com/",
                    "https://app.example.com/page",
                    "ftp://files.example.com",
                    "https://user@app.example.com",
                    "https://app.example.com:0",
                    "https://app.example.com:65536",
                    "https://app.example.com,http://other.example.com",
                    "null",
                    "http://999.1.1.1",
                    "http://app.123",
                    "http://a..b",
                    "http://-a.example.com",
                    "http://[::1]:8080"
                }) {
            KubernetesClientException e =
                    refused(
                            """
          apiVersion: realmgate.io/v1alpha1
          kind: Realm
          metadata: {name: bad-origin}
          spec:
            allowedOrigins: [https://fine.example.com, "%s"]
          """
                                    .formatted(bad));
            assertThat(e.getMessage())
                    .as(bad)
                    .contains(
                            "spec.allowedOrigins[1]: Invalid value: \""
                                    + bad
                                    + "\": "
                                    + "spec.allowedOrigins[1] in body should match '^https?://");
            assertThat(onlyCause(e).getField()).isEqualTo("spec.allowedOrigins[1]");
        }
    }
}
