package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * One allowConnect entry: a Realm of this namespace, or an explicit host, IP or CIDR with ports.
 */
@ValidationRule(
        value = "has(self.realm) != has(self.host)",
        message = "exactly one of host and realm must be set")
@ValidationRule(
        value = "has(self.realm) || (has(self.ports) && size(self.ports) > 0)",
        message = "ports are required for a host target")
public class TargetSpec {
    @JsonPropertyDescription("Name of a Realm in this namespace; its Service is the target.")
    @Pattern("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    public String realm;

    @JsonPropertyDescription("A DNS name, an IP address or a CIDR block (IPv6 without brackets).")
    @Pattern("^[A-Za-z0-9]([-A-Za-z0-9.:]{0,251}[A-Za-z0-9.])?(/[0-9]{1,3})?$")
    public String host;

    @JsonPropertyDescription(
            "Ports allowed on the target. For a realm, default: the realm's wss port.")
    @Size(max = 16)
    @ValidationRule(
            value = "self.all(p, p >= 1 && p <= 65535)",
            message = "every port must be 1-65535")
    public List<Integer> ports;
}
