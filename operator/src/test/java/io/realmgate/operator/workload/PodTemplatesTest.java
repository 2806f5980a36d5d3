package io.realmgate.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.SysctlBuilder;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.PodTemplate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The merge rules of spec.template; what each kind's pods get is in ProxyTemplateTest and
 * RealmTemplateTest.
 */
class PodTemplatesTest {
    @Test
    void theCelRulesReservedAnnotationIsTheOperatorsRestartHash() {
        assertThat(PodTemplate.RESTART_HASH).isEqualTo(Names.RESTART_HASH_ANNOTATION);
    }

    /** The API server refuses exactly the keys the model drops: the CEL rules name each one. */
    @Test
    void theCelRulesRefuseTheKeysTheOperatorReserves() {
        List<String> rules =
                Arrays.stream(PodTemplate.class.getAnnotationsByType(ValidationRule.class))
                        .map(ValidationRule::value)
                        .toList();
        assertThat(rules).hasSize(2);
        for (String label : PodTemplates.OPERATOR_LABELS) {
            assertThat(rules.get(0)).contains("'" + label + "'");
        }
        assertThat(rules.get(0).split("'app.kubernetes.io/", -1))
                .as("no other label is refused")
                .hasSize(PodTemplates.OPERATOR_LABELS.size() + 1);
        for (String annotation : PodTemplates.OPERATOR_ANNOTATIONS) {
            assertThat(rules.get(1)).contains("'" + annotation + "'");
        }
    }

    @Test
    void theOperatorsEntriesWinOverTheUsersReservedKeysAreDroppedAndNothingMeansNothing() {
        Set<String> reserved = Set.of("mine");
        assertThat(
                        PodTemplates.under(
                                Map.of("a", "user", "team", "x", "mine", "user"),
                                reserved,
                                Map.of("a", "operator")))
                .containsExactly(Map.entry("a", "operator"), Map.entry("team", "x"));
        assertThat(PodTemplates.under(Map.of("mine", "user"), reserved, null)).isNull();
        assertThat(PodTemplates.under(null, reserved, null)).isNull();
        assertThat(PodTemplates.under(Map.of(), reserved, null)).isNull();
        assertThat(PodTemplates.under(Map.of("team", "x"), reserved, null))
                .containsOnlyKeys("team");
        assertThat(PodTemplates.under(null, reserved, Map.of("a", "b"))).containsOnlyKeys("a");
    }

    @Test
    void pullSecretsAreTheOperatorsThenTheUsersEachOnce() {
        assertThat(
                        PodTemplates.pullSecrets(
                                List.of(
                                        new LocalObjectReference("ops"),
                                        new LocalObjectReference("dup")),
                                List.of(
                                        new LocalObjectReference("dup"),
                                        new LocalObjectReference("team"),
                                        new LocalObjectReference("team"))))
                .extracting(LocalObjectReference::getName)
                .containsExactly("ops", "dup", "team");
        assertThat(PodTemplates.pullSecrets(null, List.of(new LocalObjectReference("team"))))
                .extracting(LocalObjectReference::getName)
                .containsExactly("team");
    }

    @Test
    void theUsersSysctlReplacesTheOperatorsOfTheSameNameAndTheOthersFollow() {
        assertThat(
                        PodTemplates.sysctls(
                                List.of(sysctl("a", "operator"), sysctl("b", "operator")),
                                List.of(sysctl("c", "user"), sysctl("a", "user"))))
                .extracting(Sysctl::getName, Sysctl::getValue)
                .containsExactly(tuple("a", "user"), tuple("b", "operator"), tuple("c", "user"));
        assertThat(PodTemplates.sysctls(null, List.of(sysctl("c", "user"))))
                .extracting(Sysctl::getName)
                .containsExactly("c");
        assertThat(PodTemplates.sysctls(List.of(sysctl("a", "operator")), List.of()))
                .extracting(Sysctl::getValue)
                .containsExactly("operator");
    }

    private static Sysctl sysctl(String name, String value) {
        return new SysctlBuilder().withName(name).withValue(value).build();
    }
}
