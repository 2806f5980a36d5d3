package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What upgrading the CRD does to a Realm stored with several replicas before the memory engine
 * refused them: the API server keeps it, lets metadata and status be written (CRD validation
 * ratcheting: the spec did not change), and refuses any change of its spec, naming spec.replicas,
 * until replicas is 0 or 1. The Realm CRD from crds/ runs under a group of its own, first without
 * the engine and its rule (as before), then as it is, so the real realmgate.io CRD that other test
 * classes share is not touched.
 */
@ExtendWith(KubeApiExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MemoryRealmUpgradeTest {
    private static final String GROUP = "upgrade.realmgate.test";
    private static final String CRD = "realms." + GROUP;
    private static final String NS = "memory-realm-upgrade";
    private static final ResourceDefinitionContext REALM =
            new ResourceDefinitionContext.Builder()
                    .withGroup(GROUP)
                    .withVersion("v1alpha1")
                    .withKind("Realm")
                    .withPlural("realms")
                    .withNamespaced(true)
                    .build();

    private static KubernetesClient client;

    @BeforeAll
    static void namespace(KubernetesClient admin) {
        client = admin;
        OperatorHarness.ensureNamespace(client, NS);
    }

    @AfterAll
    static void removeTheCrd() {
        if (client != null) {
            client.apiextensions().v1().customResourceDefinitions().withName(CRD).delete();
        }
    }

    @Test
    void aStoredRealmWithThreeReplicasKeepsThemUntilItsSpecChanges() {
        CustomResourceDefinition before = realmCrd();
        JSONSchemaProps spec = specSchema(before);
        spec.getProperties().remove("engine");
        // The CRD before the engine: neither the replicas rule nor any later rule that reads
        // spec.engine (the API server refuses a rule naming a field the schema lacks).
        assertThat(spec.getXKubernetesValidations())
                .as("crds/ has the replicas rule")
                .filteredOn(r -> ".replicas".equals(r.getFieldPath()))
                .hasSize(1);
        List<ValidationRule> withoutEngineRules =
                spec.getXKubernetesValidations().stream()
                        .filter(r -> !".replicas".equals(r.getFieldPath()))
                        .filter(r -> !r.getRule().contains("self.engine"))
                        .toList();
        spec.setXKubernetesValidations(withoutEngineRules);
        install(before);
        realms().inNamespace(NS)
                .resource(
                        client.getKubernetesSerialization()
                                .unmarshal(
                                        """
                apiVersion: upgrade.realmgate.test/v1alpha1
                kind: Realm
                metadata: {name: three}
                spec: {replicas: 3}
                """,
                                        GenericKubernetesResource.class))
                .create();

        install(realmCrd());
        await("the API server validates with the upgraded CRD")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () ->
                                catchThrowableOfType(
                                                KubernetesClientException.class,
                                                () ->
                                                        realms().inNamespace(NS)
                                                                .resource(realm("probe", 2))
                                                                .dryRun()
                                                                .create())
                                        != null);

        Resource<GenericKubernetesResource> three = realms().inNamespace(NS).withName("three");
        Map<String, Object> stored = three.get().get("spec");
        assertThat(stored)
                .as("kept as it was, the engine defaulted on read")
                .containsEntry("replicas", 3)
                .containsEntry("engine", Map.of("type", "memory"));

        GenericKubernetesResource labelled =
                three.edit(
                        r -> {
                            r.getMetadata().setLabels(Map.of("team", "prices"));
                            return r;
                        });
        assertThat(labelled.getMetadata().getLabels()).containsEntry("team", "prices");
        GenericKubernetesResource withStatus = three.get();
        withStatus.setAdditionalProperty("status", Map.of("engine", "memory"));
        assertThat(
                        realms().inNamespace(NS)
                                .resource(withStatus)
                                .updateStatus()
                                .<String>get("status", "engine"))
                .as("the operator can still write the status")
                .isEqualTo("memory");

        KubernetesClientException refused =
                catchThrowableOfType(
                        KubernetesClientException.class,
                        () ->
                                three.edit(
                                        r -> {
                                            r.<Map<String, Object>>get("spec")
                                                    .put("limits", Map.of("maxConnections", 500));
                                            return r;
                                        }));
        assertThat(refused).as("any change of the spec is validated").isNotNull();
        assertThat(refused.getCode()).isEqualTo(422);
        assertThat(refused.getStatus().getDetails().getCauses())
                .extracting(StatusCause::getField)
                .containsExactly("spec.replicas");

        GenericKubernetesResource fixed =
                three.edit(
                        r -> {
                            r.<Map<String, Object>>get("spec").put("replicas", 1);
                            return r;
                        });
        assertThat(fixed.<Integer>get("spec", "replicas")).isEqualTo(1);
    }

    private static MixedOperation<
                    GenericKubernetesResource,
                    io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                    Resource<GenericKubernetesResource>>
            realms() {
        return client.genericKubernetesResources(REALM);
    }

    private static GenericKubernetesResource realm(String name, int replicas) {
        return client.getKubernetesSerialization()
                .unmarshal(
                        """
                apiVersion: upgrade.realmgate.test/v1alpha1
                kind: Realm
                metadata: {name: %s}
                spec: {replicas: %d}
                """
                                .formatted(name, replicas),
                        GenericKubernetesResource.class);
    }

    /** crds/'s Realm CRD, moved to this test's group. */
    private static CustomResourceDefinition realmCrd() {
        CustomResourceDefinition crd;
        try (InputStream in =
                Files.newInputStream(
                        OperatorHarness.crdsDir().resolve("realms.realmgate.io.yaml"))) {
            crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        crd.getMetadata().setName(CRD);
        crd.getSpec().setGroup(GROUP);
        crd.getSpec().getNames().setShortNames(List.of());
        return crd;
    }

    private static JSONSchemaProps specSchema(CustomResourceDefinition crd) {
        return crd.getSpec()
                .getVersions()
                .get(0)
                .getSchema()
                .getOpenAPIV3Schema()
                .getProperties()
                .get("spec");
    }

    private static void install(CustomResourceDefinition crd) {
        client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .resource(crd)
                .fieldManager(OperatorHarness.FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
        client.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(CRD)
                .waitUntilCondition(
                        c ->
                                c != null
                                        && c.getStatus() != null
                                        // the status may come before its conditions
                                        && c.getStatus().getConditions() != null
                                        && c.getStatus().getConditions().stream()
                                                .anyMatch(
                                                        x ->
                                                                "Established".equals(x.getType())
                                                                        && "True"
                                                                                .equals(
                                                                                        x
                                                                                                .getStatus())),
                        60,
                        TimeUnit.SECONDS);
    }
}
