package io.realmgate.operator.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The JDK's own certificate path validation, as a Java client of a realm or proxy would run it. */
final class Pkix {
    private Pkix() {}

    /**
     * Validates {@code leaf} against the CA certificates of {@code bundlePem} at {@code at}; throws
     * when invalid.
     */
    static void validate(X509Certificate leaf, String bundlePem, Instant at)
            throws GeneralSecurityException {
        Set<TrustAnchor> anchors =
                Pem.readCertificates(bundlePem).stream()
                        .map(ca -> new TrustAnchor(ca, null))
                        .collect(Collectors.toSet());
        PKIXParameters parameters = new PKIXParameters(anchors);
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX")
                .validate(
                        CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)),
                        parameters);
    }

    /**
     * A trust manager that trusts exactly the CAs of {@code bundlePem} (and checks the time with
     * the real clock).
     */
    static X509TrustManager trustManager(String bundlePem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        for (X509Certificate ca : Pem.readCertificates(bundlePem)) {
            store.setCertificateEntry("ca-" + i++, ca);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(store);
        return (X509TrustManager) factory.getTrustManagers()[0];
    }
}
