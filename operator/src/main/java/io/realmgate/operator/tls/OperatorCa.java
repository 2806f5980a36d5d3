package io.realmgate.operator.tls;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.OperatorSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Placeholder: the CA kept in a Secret arrives with the tls package. */
public class OperatorCa implements CertificateIssuer {
    public OperatorCa(KubernetesClient client, OperatorSettings settings, Clock clock) {
    }

    @Override
    public IssuedCertificate certificateFor(List<String> dnsNames, Optional<IssuedCertificate> existing, Instant now) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public String caBundle() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public Instant nextRenewal(IssuedCertificate certificate) {
        throw new UnsupportedOperationException("not yet");
    }
}
