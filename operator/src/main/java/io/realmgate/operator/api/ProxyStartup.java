package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * {@code spec.startup} of a ForwardProxy: how its pods start. By default warm (issue 18): the C1
 * compiler only and 4,000 tunnels on loopback before the listeners open, the one recipe measured to
 * set up the first 1,000 tunnels after a start as fast as Apache httpd (docs/decisions.md,
 * "Operator: ForwardProxy pods start warm").
 */
public class ProxyStartup {
    public static final int DEFAULT_WARM_UP_TUNNELS = 4000;

    /** The proxy's own bound on {@code REALMGATE_PROXY_WARM_UP} (docs/proxy-config.md). */
    public static final int MAX_WARM_UP_TUNNELS = 100_000;

    /** Which of the JVM's JIT compilers the proxy runs with. */
    public enum Compiler {
        /** C1 only ({@code -XX:TieredStopAtLevel=1}): warm within seconds. */
        @JsonProperty("C1")
        C1,
        /** The JVM's default tiered compilation, C1 then C2. */
        @JsonProperty("Tiered")
        TIERED
    }

    @JsonPropertyDescription(
            "Tunnels the proxy runs through itself on loopback before its listeners open, so a new"
                    + " pod is warm when it becomes Ready (about 2 s for 4000). 0: no warm-up.")
    @Default("4000")
    @Min(0)
    @Max(MAX_WARM_UP_TUNNELS)
    public Integer warmUpTunnels = DEFAULT_WARM_UP_TUNNELS;

    @JsonPropertyDescription(
            "C1: the JVM's C1 compiler only (-XX:TieredStopAtLevel=1), warm within seconds; plain"
                    + " HTTP forwarding costs more CPU per request. Tiered: the JVM's default, C1 then"
                    + " C2, slower to warm.")
    @Default("C1")
    public Compiler compiler = Compiler.C1;

    public int warmUpTunnels() {
        return warmUpTunnels == null ? DEFAULT_WARM_UP_TUNNELS : warmUpTunnels;
    }

    public Compiler compiler() {
        return compiler == null ? Compiler.C1 : compiler;
    }
}
