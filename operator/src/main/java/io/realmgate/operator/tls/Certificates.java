package io.realmgate.operator.tls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes and inspects X.509 certificates; no I/O, no state. Keys are EC P-256 from the JDK's own
 * provider (BouncyCastle only builds and encodes the certificates, so it need not be registered as
 * a JCA provider).
 *
 * <p>Validity starts {@link #CLOCK_SKEW} before {@code now}, so a peer whose clock is a little
 * behind accepts a certificate issued a moment ago. A server certificate never outlives the CA that
 * signs it: it would be unverifiable after the CA's expiry anyway, and capping it makes the
 * certificate due for renewal (by the next CA) when the CA is.
 */
public final class Certificates {
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final DateTimeFormatter CA_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {}

    /**
     * A self-signed CA that may sign server certificates only (path length 0): key usage
     * keyCertSign and cRLSign. Its subject carries the creation time, so the CAs of a rotation are
     * told apart at a glance.
     */
    public static CertifiedKey createCa(Instant now, Duration validity) {
        KeyPair keys = newKeyPair();
        X500Name subject =
                new X500NameBuilder(BCStyle.INSTANCE)
                        .addRDN(BCStyle.O, "Realmgate")
                        .addRDN(BCStyle.CN, "Realmgate CA " + CA_STAMP.format(now))
                        .build();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder =
                    new JcaX509v3CertificateBuilder(
                                    subject,
                                    serialNumber(),
                                    Date.from(now.minus(CLOCK_SKEW)),
                                    Date.from(now.plus(validity)),
                                    subject,
                                    keys.getPublic())
                            .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                            .addExtension(
                                    Extension.keyUsage,
                                    true,
                                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                            .addExtension(
                                    Extension.subjectKeyIdentifier,
                                    false,
                                    extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertifiedKey(sign(builder, keys.getPrivate()), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create a CA certificate", e);
        }
    }

    /**
     * A server certificate for {@code dnsNames} (subject alternative names, in the order given; IP
     * literals among them as IP SANs; the first DNS name is also the common name when it fits),
     * extended key usage serverAuth, signed by {@code ca}.
     */
    public static CertifiedKey issueServer(
            CertifiedKey ca, List<String> dnsNames, Instant now, Duration validity) {
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs at least one DNS name");
        }
        Instant notAfter = now.plus(validity);
        if (notAfter.isAfter(ca.notAfter())) {
            notAfter = ca.notAfter();
        }
        if (!notAfter.isAfter(now)) {
            throw new IllegalStateException(
                    "the CA " + ca + " has expired; it cannot issue a certificate at " + now);
        }
        KeyPair keys = newKeyPair();
        X500NameBuilder subject =
                new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Realmgate");
        // The common name is the first DNS name (an address is no name), when it fits the X.500
        // upper bound of 64.
        dnsNames.stream()
                .filter(n -> !isIpAddress(n) && n.length() <= 64)
                .findFirst()
                .ifPresent(cn -> subject.addRDN(BCStyle.CN, cn));
        GeneralName[] names =
                dnsNames.stream()
                        .map(
                                n ->
                                        isIpAddress(n)
                                                ? new GeneralName(GeneralName.iPAddress, n)
                                                : new GeneralName(GeneralName.dNSName, n))
                        .toArray(GeneralName[]::new);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder =
                    new JcaX509v3CertificateBuilder(
                                    ca.certificate(),
                                    serialNumber(),
                                    Date.from(now.minus(CLOCK_SKEW)),
                                    Date.from(notAfter),
                                    subject.build(),
                                    keys.getPublic())
                            .addExtension(
                                    Extension.basicConstraints, true, new BasicConstraints(false))
                            .addExtension(
                                    Extension.keyUsage,
                                    true,
                                    new KeyUsage(KeyUsage.digitalSignature))
                            .addExtension(
                                    Extension.extendedKeyUsage,
                                    false,
                                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                            .addExtension(
                                    Extension.subjectAlternativeName,
                                    false,
                                    new GeneralNames(names))
                            .addExtension(
                                    Extension.subjectKeyIdentifier,
                                    false,
                                    extensions.createSubjectKeyIdentifier(keys.getPublic()))
                            .addExtension(
                                    Extension.authorityKeyIdentifier,
                                    false,
                                    extensions.createAuthorityKeyIdentifier(ca.certificate()));
            return new CertifiedKey(sign(builder, ca.privateKey()), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + dnsNames, e);
        }
    }

    /**
     * The DNS and IP subject alternative names, in certificate order; an address in the form Java
     * prints it ({@link java.net.InetAddress#getHostAddress()}).
     */
    public static List<String> dnsNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    if (entry.size() == 2
                            && (Integer.valueOf(GeneralName.dNSName).equals(entry.get(0))
                                    || Integer.valueOf(GeneralName.iPAddress)
                                            .equals(entry.get(0)))) {
                        names.add((String) entry.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException(
                    "unreadable subject alternative names in "
                            + certificate.getSubjectX500Principal(),
                    e);
        }
        return names;
    }

    /**
     * Whether a subject name is an IPv4 or IPv6 literal, to be issued as an IP SAN: dotted digits,
     * or a colon (no DNS name has one).
     */
    static boolean isIpAddress(String name) {
        return name.matches("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$") || name.contains(":");
    }

    /**
     * Whether {@code ca} names itself as the issuer of {@code certificate} and its key verifies the
     * signature.
     */
    public static boolean signedBy(X509Certificate certificate, X509Certificate ca) {
        if (!certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Whether {@code key} is the private half of {@code publicKey}: a probe signed with one
     * verifies with the other.
     */
    public static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
        String algorithm =
                switch (key.getAlgorithm()) {
                    case "EC", "ECDSA" -> "SHA256withECDSA";
                    case "RSA" -> "SHA256withRSA";
                    case "Ed25519", "EdDSA" -> "Ed25519";
                    default -> null;
                };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] probe = "realmgate key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(
                                    new JcaContentSignerBuilder(SIGNATURE_ALGORITHM)
                                            .build(signingKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("no " + SIGNATURE_ALGORITHM + " signer", e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 key generator in this JVM", e);
        }
    }

    /** 159 random bits: positive, unpredictable, within RFC 5280's 20 octets. */
    private static BigInteger serialNumber() {
        return new BigInteger(159, RANDOM).setBit(0);
    }
}
