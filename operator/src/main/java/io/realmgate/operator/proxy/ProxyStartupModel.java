package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.realmgate.operator.api.ProxyStartup;
import java.util.List;

/**
 * What {@code spec.startup} puts in the proxy container: the JVM option of the chosen compiler,
 * appended to {@code JAVA_TOOL_OPTIONS}, and {@code REALMGATE_PROXY_WARM_UP}. Both are in the pod
 * template, so a change rolls the pods. Tiered with no warm-up renders nothing, the pods of before
 * the field existed.
 */
final class ProxyStartupModel {
    /** The proxy's warm-up variable (docs/proxy-config.md, "Warm-up"). */
    static final String WARM_UP_ENV = "REALMGATE_PROXY_WARM_UP";

    /** Stops the JIT at tier 1: C1 with full optimisation, no profiling, no C2. */
    static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

    private ProxyStartupModel() {}

    /** {@code spec.startup}; absent (an object stored before the field existed): the defaults. */
    static ProxyStartup of(ProxyModel model) {
        ProxyStartup startup = model.spec().startup;
        return startup == null ? new ProxyStartup() : startup;
    }

    /** The options to append to the JVM's memory options. */
    static List<String> jvmOptions(ProxyStartup startup) {
        return switch (startup.compiler()) {
            case C1 -> List.of(C1_ONLY);
            case TIERED -> List.of();
        };
    }

    /** {@code REALMGATE_PROXY_WARM_UP}, unless the warm-up is 0. */
    static List<EnvVar> env(ProxyStartup startup) {
        int tunnels = startup.warmUpTunnels();
        if (tunnels == 0) {
            return List.of();
        }
        return List.of(
                new EnvVarBuilder()
                        .withName(WARM_UP_ENV)
                        .withValue(Integer.toString(tunnels))
                        .build());
    }
}
