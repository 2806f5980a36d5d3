package io.realmgate.operator;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The JVM's memory options for a container, from its memory limit, so that a realm or proxy pod
 * stays under the limit instead of being killed by the kernel: the heap gets {@value
 * #HEAP_PERCENT}% of the limit ({@code -Xmx}), direct buffers (Netty's, the tunnels' relay buffers)
 * {@value #DIRECT_PERCENT}% ({@code -XX:MaxDirectMemorySize}; Netty's own cap, {@code
 * io.netty.maxDirectMemory}, is left unset and so follows it), and the rest, about a third, is for
 * what the JVM needs beside them (metaspace, code cache, thread stacks, GC structures, native
 * buffers). {@code -XX:+ExitOnOutOfMemoryError}: a JVM that ran out of heap or direct memory exits
 * and Kubernetes restarts the container, instead of limping on with threads that died.
 *
 * <p>Passed as {@code JAVA_TOOL_OPTIONS}: the images' entry point must not repeat heap options on
 * its command line, where they would win over these.
 */
public final class JvmMemory {
    public static final String ENV = "JAVA_TOOL_OPTIONS";
    public static final int HEAP_PERCENT = 40;
    public static final int DIRECT_PERCENT = 25;
    static final long MIB = 1024L * 1024;

    /** Smallest values written, whatever the limit: below them the JVM does not start at all. */
    static final long MIN_HEAP = 16 * MIB;

    static final long MIN_DIRECT = 8 * MIB;

    private final OptionalLong limit;

    private JvmMemory(OptionalLong limit) {
        this.limit = limit;
    }

    /** From a container's resources: its {@code limits.memory}, if it has one. */
    public static JvmMemory of(ResourceRequirements resources) {
        return new JvmMemory(bytes(resources == null ? null : resources.getLimits()));
    }

    /** The memory limit in bytes, if the container has one. */
    public OptionalLong limitBytes() {
        return limit;
    }

    /** The heap, {@code -Xmx}, in bytes (whole MiB), when there is a limit. */
    public OptionalLong heapBytes() {
        return limit.isEmpty() ? OptionalLong.empty() : OptionalLong.of(heapFor(limit.getAsLong()));
    }

    /** The heap this sizing gives a container with {@code memoryBytes} of memory. */
    public static long heapFor(long memoryBytes) {
        return Math.max(MIN_HEAP, share(memoryBytes, HEAP_PERCENT));
    }

    /** {@code -XX:MaxDirectMemorySize} in bytes (whole MiB), when there is a limit. */
    public OptionalLong directBytes() {
        return limit.isEmpty()
                ? OptionalLong.empty()
                : OptionalLong.of(directFor(limit.getAsLong()));
    }

    /** The direct memory this sizing gives a container with {@code memoryBytes} of memory. */
    public static long directFor(long memoryBytes) {
        return Math.max(MIN_DIRECT, share(memoryBytes, DIRECT_PERCENT));
    }

    /**
     * {@code -Xmx<heap>m -XX:MaxDirectMemorySize=<direct>m -XX:+ExitOnOutOfMemoryError}; without a
     * limit (the JVM then sees the node's memory) {@code -XX:MaxRAMPercentage=40
     * -XX:+ExitOnOutOfMemoryError}.
     */
    public String javaToolOptions() {
        if (limit.isEmpty()) {
            return "-XX:MaxRAMPercentage=" + HEAP_PERCENT + " -XX:+ExitOnOutOfMemoryError";
        }
        return "-Xmx"
                + heapBytes().getAsLong() / MIB
                + "m -XX:MaxDirectMemorySize="
                + directBytes().getAsLong() / MIB
                + "m -XX:+ExitOnOutOfMemoryError";
    }

    public EnvVar env() {
        return env(List.of());
    }

    /**
     * {@link #ENV} with {@link #javaToolOptions()} and then {@code moreOptions}: one variable,
     * since the JVM reads only one {@code JAVA_TOOL_OPTIONS} and a second entry of the same name in
     * a container's env would replace the first.
     */
    public EnvVar env(List<String> moreOptions) {
        StringBuilder options = new StringBuilder(javaToolOptions());
        moreOptions.forEach(option -> options.append(' ').append(option));
        return new EnvVarBuilder().withName(ENV).withValue(options.toString()).build();
    }

    /** {@code percent} of {@code total}, rounded down to whole MiB. */
    static long share(long total, int percent) {
        return BigDecimal.valueOf(total)
                        .multiply(BigDecimal.valueOf(percent))
                        .divideToIntegralValue(BigDecimal.valueOf(100L * MIB))
                        .longValueExact()
                * MIB;
    }

    /** {@code memory} from a requests or limits map, in bytes; absent or not positive: empty. */
    static OptionalLong bytes(Map<String, Quantity> quantities) {
        Quantity memory = quantities == null ? null : quantities.get("memory");
        if (memory == null) {
            return OptionalLong.empty();
        }
        BigDecimal bytes = Quantity.getAmountInBytes(memory);
        return bytes.signum() > 0 ? OptionalLong.of(bytes.longValue()) : OptionalLong.empty();
    }

    /**
     * The memory request in bytes, if there is one: what retention is sized for when there is no
     * limit.
     */
    public static OptionalLong requestBytes(ResourceRequirements resources) {
        return bytes(resources == null ? null : resources.getRequests());
    }
}
