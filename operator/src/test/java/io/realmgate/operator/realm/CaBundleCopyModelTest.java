package io.realmgate.operator.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.realmgate.operator.api.Clients;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which namespaces get a copy of a realm's CA bundle, and what a copy is. */
class CaBundleCopyModelTest {
    private static final List<Namespace> NAMESPACES =
            List.of(
                    namespace("apps", Map.of("team", "core")),
                    namespace("team-a", Map.of("team", "a", "realm-clients", "yes")),
                    namespace("team-b", Map.of("team", "b")),
                    namespace("behind-proxy", Map.of("uses", "egress")));

    private static Namespace namespace(String name, Map<String, String> labels) {
        return new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build();
    }

    private static Realm realm(LabelSelector namespaces) {
        Realm realm = new Realm();
        realm.setMetadata(new ObjectMetaBuilder().withName("prices").withNamespace("apps").build());
        realm.setSpec(new RealmSpec());
        if (namespaces != null) {
            realm.getSpec().clients = new Clients();
            realm.getSpec().clients.namespaceSelector = namespaces;
        }
        return realm;
    }

    private static ForwardProxy proxy(LabelSelector namespaces) {
        ForwardProxy proxy = new ForwardProxy();
        proxy.setMetadata(new ObjectMetaBuilder().withName("egress").withNamespace("apps").build());
        proxy.setSpec(new ForwardProxySpec());
        proxy.getSpec().clients = new Clients();
        proxy.getSpec().clients.namespaceSelector = namespaces;
        return proxy;
    }

    @Test
    void noSelectorNoCopiesAndNoNamespaceRead() {
        assertThat(CaBundleCopyModel.selectsNamespaces(realm(null), List.of())).isFalse();
        assertThat(CaBundleCopyModel.namespaces(realm(null), List.of(), NAMESPACES)).isEmpty();
    }

    @Test
    void theRealmsAndItsProxiesSelectorsAddUpWithoutTheRealmsOwnNamespace() {
        Realm realm =
                realm(
                        new LabelSelectorBuilder()
                                .addNewMatchExpression()
                                .withKey("team")
                                .withOperator("In")
                                .withValues("a", "core")
                                .endMatchExpression()
                                .build());
        ForwardProxy proxy =
                proxy(new LabelSelectorBuilder().withMatchLabels(Map.of("uses", "egress")).build());
        assertThat(CaBundleCopyModel.selectsNamespaces(realm, List.of(proxy))).isTrue();
        assertThat(CaBundleCopyModel.namespaces(realm, List.of(proxy), NAMESPACES))
                .containsExactly("behind-proxy", "team-a");
    }

    @Test
    void selectorOperatorsFollowTheApiServersRules() {
        assertThat(
                        CaBundleCopyModel.namespaces(
                                realm(
                                        new LabelSelectorBuilder()
                                                .withMatchLabels(Map.of("team", "a"))
                                                .addNewMatchExpression()
                                                .withKey("realm-clients")
                                                .withOperator("Exists")
                                                .endMatchExpression()
                                                .build()),
                                List.of(),
                                NAMESPACES))
                .containsExactly("team-a");
        assertThat(
                        CaBundleCopyModel.namespaces(
                                realm(
                                        new LabelSelectorBuilder()
                                                .addNewMatchExpression()
                                                .withKey("team")
                                                .withOperator("NotIn")
                                                .withValues("a")
                                                .endMatchExpression()
                                                .addNewMatchExpression()
                                                .withKey("uses")
                                                .withOperator("DoesNotExist")
                                                .endMatchExpression()
                                                .build()),
                                List.of(),
                                NAMESPACES))
                .containsExactly("team-b");
        // An empty selector selects every namespace, as in a NetworkPolicy.
        assertThat(CaBundleCopyModel.namespaces(realm(new LabelSelector()), List.of(), NAMESPACES))
                .containsExactly("behind-proxy", "team-a", "team-b");
    }

    @Test
    void aCopyHasTheBundlesNameAndKeyAndSaysWhoseItIs() {
        Realm realm = realm(null);
        ConfigMap copy = CaBundleCopyModel.copy(realm, "team-a", "PEM");
        assertThat(copy.getMetadata().getName()).isEqualTo("prices-realm-ca");
        assertThat(copy.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(copy.getData()).containsExactly(Map.entry("ca.crt", "PEM"));
        assertThat(copy.getMetadata().getLabels())
                .containsEntry("realmgate.io/realm", "prices")
                .containsEntry("realmgate.io/realm-namespace", "apps")
                .containsEntry("app.kubernetes.io/component", "ca-bundle-copy")
                .doesNotContainKey("app.kubernetes.io/name");
        assertThat(copy.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(CaBundleCopyModel.same(copy, CaBundleCopyModel.copy(realm, "team-a", "PEM")))
                .isTrue();
        assertThat(CaBundleCopyModel.same(copy, CaBundleCopyModel.copy(realm, "team-a", "NEW")))
                .isFalse();
    }
}
