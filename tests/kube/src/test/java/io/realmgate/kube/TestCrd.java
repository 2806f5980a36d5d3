package io.realmgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The test CRD under src/test/resources/crds (a stand-in for the operator's ForwardProxy) and its samples. */
final class TestCrd {

  static final String NAME = "forwardproxies.test.realmgate.io";
  static final String API_VERSION = "test.realmgate.io/v1alpha1";
  static final String FIELD_MANAGER = "realmgate-kube-tests";
  static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
      .withGroup("test.realmgate.io").withVersion("v1alpha1").withKind("ForwardProxy")
      .withPlural("forwardproxies").withNamespaced(true).build();

  private TestCrd() {
  }

  /** Server-side applies the CRD and waits until the API server serves it. */
  static CustomResourceDefinition install(KubernetesClient client) {
    CustomResourceDefinition crd;
    try (InputStream in = TestCrd.class.getResourceAsStream("/crds/" + NAME + ".yaml")) {
      crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    client.apiextensions().v1().customResourceDefinitions().resource(crd)
        .fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    return waitEstablished(client);
  }

  static CustomResourceDefinition waitEstablished(KubernetesClient client) {
    return client.apiextensions().v1().customResourceDefinitions().withName(NAME)
        .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
            .anyMatch(cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
            60, TimeUnit.SECONDS);
  }

  static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
      forwardProxies(KubernetesClient client) {
    return client.genericKubernetesResources(CONTEXT);
  }

  /** A ForwardProxy object from YAML text. */
  static GenericKubernetesResource forwardProxy(KubernetesClient client, String yaml) {
    return client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
  }

  /** A directory of test resources on disk, for kubectl -f. */
  static Path resourceDir(String name) {
    URL url = TestCrd.class.getResource("/" + name);
    if (url == null) {
      throw new IllegalStateException("no test resource directory " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
