package io.realmgate.operator.proxy;

import io.realmgate.operator.tls.IssuedCertificate;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates for unit tests (the operator's CA is tested with the tls package). */
final class TestCertificates {
    private TestCertificates() {}

    static IssuedCertificate selfSigned(List<String> dnsNames, Instant notAfter) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=" + dnsNames.get(0));
            Instant notBefore = notAfter.minus(1, ChronoUnit.DAYS);
            JcaX509v3CertificateBuilder builder =
                    new JcaX509v3CertificateBuilder(
                            subject,
                            BigInteger.valueOf(notAfter.getEpochSecond()),
                            Date.from(notBefore),
                            Date.from(notAfter),
                            subject,
                            keys.getPublic());
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(
                            dnsNames.stream()
                                    .map(n -> new GeneralName(GeneralName.dNSName, n))
                                    .toArray(GeneralName[]::new)));
            X509CertificateHolder holder =
                    builder.build(
                            new JcaContentSignerBuilder("SHA256withECDSA")
                                    .build(keys.getPrivate()));
            String certificate =
                    pem(
                            new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                                    .getCertificate(holder));
            String key =
                    pem(
                            new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
                                    keys.getPrivate(), null));
            return new IssuedCertificate(certificate, key, certificate, dnsNames, notAfter);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
