package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * {@code spec.limits} of a ForwardProxy: the proxy's {@code limits} keys (docs/proxy-config.md),
 * same names, same ranges as the proxy's parser. No schema defaults: an absent field is the proxy's
 * default, except the connection caps, which the operator sizes from the pod's memory ({@code
 * ProxyCapacity}); a value set here is rendered as written.
 */
@ValidationRule(
        value =
                "!has(self.maxConnectionsPerClient) || !has(self.maxConnections)"
                        + " || self.maxConnectionsPerClient <= self.maxConnections",
        fieldPath = ".maxConnectionsPerClient",
        message = "limits.maxConnectionsPerClient must not exceed limits.maxConnections")
public class ProxyLimits {
    @JsonPropertyDescription(
            "Client connections one proxy pod holds at once, all clients together (503 above it)."
                    + " Absent: what the pod's memory carries, at most 20000. Above what the memory carries,"
                    + " the condition ConnectionLimitsFitMemory turns False.")
    @Min(1)
    @Max(1_000_000)
    public Integer maxConnections;

    @JsonPropertyDescription(
            "Client connections from one client address (503 above it). Absent: 4096, at most"
                    + " maxConnections.")
    @Min(1)
    @Max(1_000_000)
    public Integer maxConnectionsPerClient;

    @JsonPropertyDescription("Size of a request head in bytes (431 above it). Absent: 16384.")
    @Min(1024)
    @Max(1024 * 1024)
    public Integer maxHeaderBytes;

    @JsonPropertyDescription("Length of a request line in bytes (414 above it). Absent: 8192.")
    @Min(256)
    @Max(64 * 1024)
    public Integer maxRequestLine;
}
