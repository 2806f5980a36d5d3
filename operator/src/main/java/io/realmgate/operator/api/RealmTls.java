package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

public class RealmTls {
    @JsonPropertyDescription(
            "A kubernetes.io/tls Secret of your own; the operator then issues nothing.")
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    public String secretName;

    @JsonPropertyDescription(
            "Extra DNS names for the issued certificate, besides the Service's own names.")
    @Size(max = 32)
    public List<String> dnsNames;
}
