package io.realmgate.tests.peers;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/** A throwaway CA and a localhost server certificate it issued, for TLS peers in tests. */
public final class TestCertificates {
    private static volatile TestCertificates shared;

    private final X509Bundle ca;
    private final X509Bundle server;

    private TestCertificates() throws Exception {
        Instant now = Instant.now();
        CertificateBuilder base =
                new CertificateBuilder()
                        .notBefore(now.minus(1, ChronoUnit.HOURS))
                        .notAfter(now.plus(1, ChronoUnit.DAYS))
                        .ecp256();
        this.ca =
                base.copy()
                        .subject("CN=Realmgate Test CA")
                        .setIsCertificateAuthority(true)
                        .buildSelfSigned();
        this.server =
                base.copy()
                        .subject("CN=localhost")
                        .addSanDnsName("localhost")
                        .addSanIpAddress("127.0.0.1")
                        .addExtendedKeyUsageServerAuth()
                        .buildIssuedBy(ca);
    }

    public static TestCertificates get() {
        if (shared == null) {
            synchronized (TestCertificates.class) {
                if (shared == null) {
                    try {
                        shared = new TestCertificates();
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot create test certificates", e);
                    }
                }
            }
        }
        return shared;
    }

    public X509Bundle ca() {
        return ca;
    }

    public X509Bundle server() {
        return server;
    }

    /** A client socket factory that trusts only the test CA. */
    public SSLSocketFactory clientSocketFactory() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
