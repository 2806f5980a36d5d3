package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A cert-manager Issuer or ClusterIssuer that issues a realm's wss certificate. */
public class CertManagerIssuerRef {
    public static final String GROUP = "cert-manager.io";

    @JsonPropertyDescription("Name of the Issuer (in the Realm's namespace) or ClusterIssuer.")
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    public String name;

    @JsonPropertyDescription("Issuer or ClusterIssuer.")
    @Default("Issuer")
    @Pattern("^(Issuer|ClusterIssuer)$")
    public String kind = "Issuer";

    @JsonPropertyDescription("API group of the issuer: cert-manager.io.")
    @Default(GROUP)
    @Pattern("^cert-manager\\.io$")
    public String group = GROUP;
}
