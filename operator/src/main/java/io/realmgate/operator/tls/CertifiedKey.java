package io.realmgate.operator.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * A certificate with its private key: the CA's, or a server's. Lives in memory and in Secrets only.
 *
 * @param certificate the certificate
 * @param privateKey its private key; never printed (see {@link #toString()})
 */
public record CertifiedKey(X509Certificate certificate, PrivateKey privateKey) {

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    @Override
    public String toString() {
        return "CertifiedKey["
                + certificate.getSubjectX500Principal().getName()
                + ", notAfter="
                + notAfter()
                + "]";
    }
}
