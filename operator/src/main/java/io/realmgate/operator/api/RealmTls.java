package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@ValidationRule(
        value = "!has(self.secretName) || !has(self.issuerRef)",
        message =
                "secretName and issuerRef exclude each other: name your own Secret, or let cert-manager "
                        + "issue one")
public class RealmTls {
    @JsonPropertyDescription(
            "A kubernetes.io/tls Secret of your own; the operator then issues nothing.")
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    public String secretName;

    @JsonPropertyDescription(
            "A cert-manager issuer: the operator asks cert-manager for the certificate (a Certificate "
                    + "into Secret <name>-realm-cert-manager-tls) instead of issuing it. Needs cert-manager's "
                    + "CRDs in the cluster.")
    public CertManagerIssuerRef issuerRef;

    @JsonPropertyDescription(
            "Extra DNS names for the issued certificate, besides the Service's own names.")
    @Size(max = 32)
    public List<String> dnsNames;
}
