package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.SysctlBuilder;
import io.realmgate.operator.Pods;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The source ports a proxy pod dials its upstreams from: two safe, namespaced sysctls on the
 * ForwardProxy pods (docs/decisions.md, "Operator: a wide ephemeral port range on proxy pods").
 *
 * <p>The proxy closes a tunnel's upstream leg first, so each of its connections to a realm waits a
 * minute in TIME_WAIT in the proxy pod. With the kernel's default range (32768–60999) one pod
 * slowed from ~1,300 to ~250 short tunnels a second once ~14,000 of them waited (issue 18,
 * docs/benchmarks.md). {@link #RANGE} gives connect() 2.3 times as many ports; {@link
 * #RESERVED_PORTS} keeps the pod's own listening ports out of it, so an outgoing connection never
 * holds a port the proxy must bind again when its container restarts.
 */
final class EphemeralPorts {
    /** The kernel's range of local ports for connect() and bind(0), per network namespace. */
    static final String RANGE = "net.ipv4.ip_local_port_range";

    /**
     * Ports in {@link #RANGE} the kernel never picks on its own (only an explicit bind takes one).
     */
    static final String RESERVED_PORTS = "net.ipv4.ip_local_reserved_ports";

    /**
     * The low end: the first unprivileged port. The kernel refuses a low end below the pod's {@link
     * Pods#UNPRIVILEGED_PORT_START}, which the operator lowers only for a listener below 1024, so
     * the two never conflict.
     */
    static final int LOW = 1024;

    static final int HIGH = 65535;

    private EphemeralPorts() {}

    /**
     * {@link #RANGE} as {@code LOW HIGH}, and {@link #RESERVED_PORTS} listing the {@code
     * listeningPorts} that fall in it (none when every listener is below {@link #LOW}).
     */
    static List<Sysctl> sysctls(Collection<Integer> listeningPorts) {
        List<Sysctl> sysctls = new ArrayList<>();
        sysctls.add(sysctl(RANGE, LOW + " " + HIGH));
        String reserved =
                listeningPorts.stream()
                        .filter(p -> p >= LOW && p <= HIGH)
                        .distinct()
                        .sorted()
                        .map(String::valueOf)
                        .collect(Collectors.joining(","));
        if (!reserved.isEmpty()) {
            sysctls.add(sysctl(RESERVED_PORTS, reserved));
        }
        return sysctls;
    }

    private static Sysctl sysctl(String name, String value) {
        return new SysctlBuilder().withName(name).withValue(value).build();
    }
}
