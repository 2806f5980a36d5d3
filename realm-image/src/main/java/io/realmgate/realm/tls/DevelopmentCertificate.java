package io.realmgate.realm.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * {@code --self-signed}: a certificate for localhost, 127.0.0.1 and ::1, made at start-up and valid
 * for 30 days. For development only: nothing trusts it, so a browser must be told to (its
 * certificate is written to a file and its SPKI hash is printed for Chromium's {@code
 * --ignore-certificate-errors-spki-list}).
 */
public final class DevelopmentCertificate implements CertificateSource {
    private final SslContext context;
    private final X509Certificate certificate;
    private final Path certificateFile;

    public DevelopmentCertificate() throws IOException, GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair pair = gen.generateKeyPair();
        Instant now = Instant.now();
        X500Name subject =
                new X500Name("CN=localhost, O=Realmgate development - self-signed - do not trust");
        X509v3CertificateBuilder b =
                new JcaX509v3CertificateBuilder(
                        subject,
                        new BigInteger(64, new SecureRandom()),
                        Date.from(now.minus(Duration.ofHours(1))),
                        Date.from(now.plus(Duration.ofDays(30))),
                        subject,
                        pair.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(
                        new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(
                                    GeneralName.iPAddress,
                                    InetAddress.getByName("::1").getHostAddress())
                        }));
        try {
            certificate =
                    new JcaX509CertificateConverter()
                            .getCertificate(
                                    b.build(
                                            new JcaContentSignerBuilder("SHA256withECDSA")
                                                    .build(pair.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        context =
                ServerTls.builder(SslContextBuilder.forServer(pair.getPrivate(), certificate))
                        .build();
        certificateFile = Files.createTempFile("realmgate-dev-cert-", ".pem");
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            w.writeObject(certificate);
        }
        Files.writeString(certificateFile, pem.toString());
        certificateFile.toFile().deleteOnExit();
    }

    @Override
    public SslContext current() {
        return context;
    }

    @Override
    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Where the certificate was written (PEM), for clients that need to trust it. */
    public Path certificateFile() {
        return certificateFile;
    }

    /**
     * Base64 SHA-256 of the public key info, the form Chromium's {@code
     * --ignore-certificate-errors-spki-list} takes.
     */
    public String spkiSha256() {
        return spkiSha256(certificate);
    }

    public static String spkiSha256(X509Certificate cert) {
        try {
            return Base64.getEncoder()
                    .encodeToString(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(cert.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
