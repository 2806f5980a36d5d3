package io.realmgate.kube.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.realmgate.common.Durations;
import io.realmgate.operator.api.RealmLimits;
import io.realmgate.realm.config.CommandLine;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.config.Units;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The defaults that the Realm CRD documents for {@code spec.limits} (each description's "Absent:
 * …", and the totals its CEL rules assume when a total is unset) are the realm program's own, as
 * its command line parses them with no limit flag: the operator renders nothing for an absent
 * field, so the realm's default is what runs; except the fields it sizes for the pod's memory,
 * which document that instead (the CEL rules still assume the realm's own total).
 */
class RealmLimitDefaultsTest {
    private static final Pattern ABSENT = Pattern.compile("Absent: ([0-9a-zA-Z]+)[;.]");

    @Test
    void theCrdDocumentsTheRealmsOwnDefaults() throws Exception {
        RealmConfig realm = CommandLine.parse("--wss-port", "off");
        Map<String, Object> defaults =
                Map.of(
                        "maxConnectionsPerClient", realm.maxConnectionsPerClient(),
                        "headerTimeout", realm.headerTimeout(),
                        "replayRate", realm.replayRate(),
                        "maxStreams", realm.maxStreams(),
                        "maxStreamsPerClient", realm.maxStreamsPerClient(),
                        "maxPolls", realm.maxPolls(),
                        "maxPollsPerClient", realm.maxPollsPerClient(),
                        "maxMessage", (long) realm.maxMessageBytes());
        // Sized by the operator for the pod's memory when absent (RealmRetention, RealmCapacity),
        // so they document no fixed default.
        Set<String> sized = Set.of("maxConnections", "maxChannels", "queueEvents", "queueBytes");

        CustomResourceDefinition crd =
                new KubernetesSerialization()
                        .unmarshal(
                                Files.readString(Repo.crds().resolve("realms.realmgate.io.yaml")),
                                CustomResourceDefinition.class);
        JSONSchemaProps limits =
                crd.getSpec()
                        .getVersions()
                        .get(0)
                        .getSchema()
                        .getOpenAPIV3Schema()
                        .getProperties()
                        .get("spec")
                        .getProperties()
                        .get("limits");
        Set<String> fields = new TreeSet<>(defaults.keySet());
        fields.addAll(sized);
        assertThat(limits.getProperties()).containsOnlyKeys(fields);
        for (var field : limits.getProperties().entrySet()) {
            if (sized.contains(field.getKey())) {
                assertThat(field.getValue().getDescription())
                        .as("spec.limits.%s", field.getKey())
                        .containsPattern("Absent: (what the pod's memory carries|twice)");
                continue;
            }
            Matcher absent = ABSENT.matcher(field.getValue().getDescription());
            assertThat(absent.find())
                    .as("%s: %s", field.getKey(), field.getValue().getDescription())
                    .isTrue();
            Object documented =
                    switch (field.getKey()) {
                        case "headerTimeout" -> Durations.parse(field.getKey(), absent.group(1));
                        case "maxMessage" -> Units.bytes(field.getKey(), absent.group(1));
                        default -> Integer.valueOf(absent.group(1));
                    };
            assertThat(documented)
                    .as("spec.limits.%s", field.getKey())
                    .isEqualTo(defaults.get(field.getKey()));
        }

        // The CEL rules compare a per-client cap with its total, the realm's default when the total
        // is unset.
        assertThat(limits.getXKubernetesValidations())
                .extracting(ValidationRule::getRule)
                .startsWith(
                        rule("maxConnections", realm.maxConnections()),
                        rule("maxStreams", realm.maxStreams()),
                        rule("maxPolls", realm.maxPolls()));

        // And the operator's constants, from which it sizes the per-client caps.
        assertThat(RealmLimits.DEFAULT_MAX_CONNECTIONS).isEqualTo(realm.maxConnections());
        assertThat(RealmLimits.DEFAULT_MAX_CONNECTIONS_PER_CLIENT)
                .isEqualTo(realm.maxConnectionsPerClient());
        assertThat(Durations.parse("", RealmLimits.DEFAULT_HEADER_TIMEOUT))
                .isEqualTo(realm.headerTimeout());
        assertThat(RealmLimits.DEFAULT_REPLAY_RATE).isEqualTo(realm.replayRate());
        assertThat(RealmLimits.DEFAULT_MAX_STREAMS).isEqualTo(realm.maxStreams());
        assertThat(RealmLimits.DEFAULT_MAX_STREAMS_PER_CLIENT)
                .isEqualTo(realm.maxStreamsPerClient());
        assertThat(RealmLimits.DEFAULT_MAX_POLLS).isEqualTo(realm.maxPolls());
        assertThat(RealmLimits.DEFAULT_MAX_POLLS_PER_CLIENT).isEqualTo(realm.maxPollsPerClient());
    }

    private static String rule(String total, int standalone) {
        String perClient = total + "PerClient";
        return "!has(self."
                + perClient
                + ") || self."
                + perClient
                + " <= (has(self."
                + total
                + ") ? self."
                + total
                + " : "
                + standalone
                + ")";
    }
}
