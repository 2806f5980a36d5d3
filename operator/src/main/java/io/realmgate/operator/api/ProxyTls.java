package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

public class ProxyTls {
    @JsonPropertyDescription("Serve the proxy port over TLS.")
    @Default("false")
    public Boolean enabled = false;

    @JsonPropertyDescription(
            "A kubernetes.io/tls Secret of your own; the operator then issues nothing.")
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    public String secretName;

    public boolean on() {
        return Boolean.TRUE.equals(enabled);
    }
}
