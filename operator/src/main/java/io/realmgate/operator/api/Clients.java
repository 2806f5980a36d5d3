package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * Who may connect: pods (by namespace and pod labels, as in a NetworkPolicy peer) and address
 * blocks. Empty: pods of the resource's own namespace only.
 */
public class Clients {
    @JsonPropertyDescription(
            "Namespaces whose pods may connect (with podSelector: only those pods). Absent: the resource's own namespace.")
    public LabelSelector namespaceSelector;

    @JsonPropertyDescription("Pods that may connect. Absent: every pod of the selected namespaces.")
    public LabelSelector podSelector;

    @JsonPropertyDescription(
            "Address blocks (CIDR) that may connect, e.g. a node network or a load balancer.")
    @Size(max = 64)
    @ValidationRule(
            value = "self.all(c, isCIDR(c))",
            message = "every ipBlocks entry must be a CIDR such as 10.0.0.0/8")
    // The item length bound keeps the CEL rule's estimated cost within the API server's budget
    // (without it the
    // server refuses the CRD); 49 is the longest CIDR text,
    // 0000:0000:0000:0000:0000:ffff:255.255.255.255/128.
    public List<@Size(max = 49) String> ipBlocks;
}
