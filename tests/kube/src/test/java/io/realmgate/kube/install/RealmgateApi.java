package io.realmgate.kube.install;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/** The two custom resources, untyped: tests read them as users and GitOps tools see them. */
final class RealmgateApi {
  static final ResourceDefinitionContext REALM = new ResourceDefinitionContext.Builder()
      .withGroup("realmgate.io").withVersion("v1alpha1").withKind("Realm")
      .withPlural("realms").withNamespaced(true).build();
  static final ResourceDefinitionContext FORWARD_PROXY = new ResourceDefinitionContext.Builder()
      .withGroup("realmgate.io").withVersion("v1alpha1").withKind("ForwardProxy")
      .withPlural("forwardproxies").withNamespaced(true).build();

  private RealmgateApi() {
  }
}
