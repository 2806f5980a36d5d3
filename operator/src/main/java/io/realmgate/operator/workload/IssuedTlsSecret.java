package io.realmgate.operator.workload;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.operator.tls.TlsSecrets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Secret of a certificate the operator issued, as a realm's wss listener and a proxy's TLS
 * listener mount it: type {@code kubernetes.io/tls} with {@code tls.crt}, {@code tls.key} and
 * {@code ca.crt} (the bundle clients trust), the keys and encoding {@link TlsSecrets} reads back.
 */
public final class IssuedTlsSecret {
    private IssuedTlsSecret() {}

    public static Secret of(ObjectMeta metadata, IssuedCertificate certificate) {
        // Sorted, base64 as the API server stores it: equal certificates give equal Secrets, so no
        // write.
        Map<String, String> data = new TreeMap<>();
        data.put(TlsSecrets.TLS_CRT, TlsSecrets.base64(certificate.certificatePem()));
        data.put(TlsSecrets.TLS_KEY, TlsSecrets.base64(certificate.privateKeyPem()));
        data.put(TlsSecrets.CA_CRT, TlsSecrets.base64(certificate.caBundlePem()));
        return new SecretBuilder()
                .withMetadata(metadata)
                .withType(TlsSecrets.TYPE)
                .withData(data)
                .build();
    }
}
