package io.realmgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The API server itself refuses objects that break the CRD's schema or its CEL rules, with a message naming
 * the field: what the Fabric8 mock server, which validates nothing, cannot show.
 */
@ExtendWith(KubeApiExtension.class)
class CrdValidationTest {

  private static final String NS = "crd-validation";
  private static KubernetesClient client;

  @BeforeAll
  static void installCrd(KubernetesClient admin) {
    client = admin;
    TestCrd.install(client);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .serverSideApply();
  }

  private static GenericKubernetesResource create(String yaml) {
    return TestCrd.forwardProxies(client).inNamespace(NS).resource(TestCrd.forwardProxy(client, yaml)).create();
  }

  private static KubernetesClientException refused(String yaml) {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, () -> create(yaml));
    assertThat(e).as("the API server must refuse:\n%s", yaml).isNotNull();
    assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
    return e;
  }

  @Test
  void validObjectIsAcceptedAndDefaulted() {
    GenericKubernetesResource created = create("""
        apiVersion: test.realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: valid}
        spec:
          port: 3128
          allowConnect:
            - realm: prices
            - host: api.partner.example
              ports: [443]
        """);
    Map<String, Object> spec = created.get("spec");
    assertThat(spec).containsEntry("port", 3128);
    // The schema's default is applied by the API server, not by the client.
    assertThat(spec).containsEntry("replicas", 2);
  }

  @Test
  void portOutOfRangeIsRefusedNamingTheField() {
    KubernetesClientException e = refused("""
        apiVersion: test.realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: bad-port}
        spec: {port: 70000}
        """);
    assertThat(e.getMessage())
        .contains("ForwardProxy.test.realmgate.io \"bad-port\" is invalid")
        .contains("spec.port: Invalid value: 70000: spec.port in body should be less than or equal to 65535");
    assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField).containsExactly("spec.port");
  }

  @Test
  void nestedPortOutOfRangeIsRefusedNamingTheListItem() {
    KubernetesClientException e = refused("""
        apiVersion: test.realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: bad-target-port}
        spec:
          port: 3128
          allowConnect:
            - host: api.partner.example
              ports: [0]
        """);
    assertThat(e.getMessage())
        .contains("spec.allowConnect[0].ports[0]: Invalid value: 0: "
            + "spec.allowConnect[0].ports[0] in body should be greater than or equal to 1");
  }

  @Test
  void missingRequiredFieldIsRefused() {
    KubernetesClientException e = refused("""
        apiVersion: test.realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: no-port}
        spec: {via: true}
        """);
    assertThat(e.getMessage()).contains("spec.port: Required value");
  }

  @Test
  void celRuleRefusesBothHostAndRealm() {
    KubernetesClientException e = refused("""
        apiVersion: test.realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: both}
        spec:
          port: 3128
          allowConnect:
            - realm: prices
            - realm: quotes
              host: api.partner.example
              ports: [443]
        """);
    assertThat(e.getMessage())
        .contains("spec.allowConnect[1]: Invalid value: \"object\": exactly one of host or realm must be set");
    assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
        .containsExactly("spec.allowConnect[1]");
  }

  @Test
  void celRuleRefusesNeitherHostNorRealm() {
    KubernetesClientException e = refused("""
        apiVersion: test.realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: neither}
        spec:
          port: 3128
          allowConnect:
            - ports: [443]
        """);
    assertThat(e.getMessage())
        .contains("spec.allowConnect[0]: Invalid value: \"object\": exactly one of host or realm must be set");
  }

  @Test
  void celRuleRefusesHostWithoutPorts() {
    KubernetesClientException e = refused("""
        apiVersion: test.realmgate.io/v1alpha1
        kind: ForwardProxy
        metadata: {name: host-no-ports}
        spec:
          port: 3128
          allowConnect:
            - host: api.partner.example
        """);
    assertThat(e.getMessage()).contains("spec.allowConnect[0]: Invalid value: \"object\": a host target needs ports");
  }
}
