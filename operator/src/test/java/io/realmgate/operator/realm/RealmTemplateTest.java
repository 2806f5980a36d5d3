package io.realmgate.operator.realm;

import static io.realmgate.operator.realm.RealmFixtures.SETTINGS;
import static io.realmgate.operator.realm.RealmFixtures.model;
import static io.realmgate.operator.realm.RealmFixtures.prices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.TemplateFixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Realm's spec.template on its pods: the same helper and rules as a ForwardProxy's. */
class RealmTemplateTest {
    @Test
    void everyTemplateFieldReachesTheRealmPodAndTheOperatorsLabelsStay() {
        Deployment before = model(prices(), "1").deployment();
        Realm realm = prices();
        realm.getSpec().template = TemplateFixtures.everything();
        Deployment d = model(realm, "1").deployment();
        PodTemplateSpec pod = d.getSpec().getTemplate();
        PodSpec spec = pod.getSpec();

        assertThat(spec.getNodeSelector())
                .containsExactly(Map.entry("node-role.example.com/edge", "true"));
        assertThat(spec.getTolerations()).containsExactly(TemplateFixtures.EDGE_TOLERATION);
        assertThat(spec.getAffinity()).isEqualTo(TemplateFixtures.ZONE_AFFINITY);
        assertThat(spec.getTopologySpreadConstraints())
                .containsExactly(TemplateFixtures.ZONE_SPREAD);
        assertThat(spec.getPriorityClassName()).isEqualTo("edge-critical");
        assertThat(spec.getContainers().get(0).getImage()).isEqualTo(TemplateFixtures.IMAGE);
        assertThat(spec.getImagePullSecrets())
                .extracting(LocalObjectReference::getName)
                .containsExactly("team-registry", "dup");
        assertThat(pod.getMetadata().getLabels())
                .containsEntry("team", "payments")
                .containsAllEntriesOf(Names.realmLabels("prices"));
        // The user's value for the reserved key is dropped: the hash is the operator's, over the
        // rendered config, the same as without a template.
        assertThat(pod.getMetadata().getAnnotations())
                .containsOnlyKeys("sidecar.istio.io/inject", Names.RESTART_HASH_ANNOTATION)
                .containsEntry(
                        Names.RESTART_HASH_ANNOTATION,
                        before.getSpec()
                                .getTemplate()
                                .getMetadata()
                                .getAnnotations()
                                .get(Names.RESTART_HASH_ANNOTATION));

        assertThat(spec.getContainers().get(0).getArgs())
                .isEqualTo(
                        before.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
        assertThat(d.getSpec().getSelector()).isEqualTo(before.getSpec().getSelector());
        assertThat(SETTINGS.realmImage()).isNotEqualTo(TemplateFixtures.IMAGE);
    }
}
