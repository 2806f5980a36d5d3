package io.realmgate.operator.tls;

import java.time.Instant;
import java.util.List;

/**
 * A server certificate and its key as PEM, with what the operator needs to decide about it without
 * parsing again.
 *
 * @param certificatePem the leaf certificate (PEM)
 * @param privateKeyPem its private key (PKCS#8 PEM); lives only in a Secret, never in a log or a
 *     status
 * @param caBundlePem the CA certificates a client should trust for it (current CA, plus the
 *     previous one during a CA change)
 * @param dnsNames the subject alternative names
 * @param notAfter expiry
 */
public record IssuedCertificate(
        String certificatePem,
        String privateKeyPem,
        String caBundlePem,
        List<String> dnsNames,
        Instant notAfter) {

    public IssuedCertificate {
        dnsNames = List.copyOf(dnsNames);
    }

    @Override
    public String toString() {
        // Never print the key.
        return "IssuedCertificate" + dnsNames + " notAfter=" + notAfter;
    }
}
