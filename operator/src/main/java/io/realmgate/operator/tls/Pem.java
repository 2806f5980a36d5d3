package io.realmgate.operator.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * PEM text of certificates and private keys, as Kubernetes TLS Secrets carry them. Writes
 * certificates and PKCS#8 keys; reads certificates and PKCS#8 or PKCS#1/SEC1 keys (what users' own
 * Secrets may hold). Errors name what could not be read, never the content.
 */
public final class Pem {
    private static final Base64.Encoder BODY = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private Pem() {}

    public static String certificate(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(
                    "cannot encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** The certificates one after another, in the order given (a bundle or a chain). */
    public static String certificates(List<X509Certificate> certificates) {
        StringBuilder pem = new StringBuilder();
        certificates.forEach(c -> pem.append(certificate(c)));
        return pem.toString();
    }

    /** The key as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    public static String privateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException(
                    "a "
                            + key.getAlgorithm()
                            + " key in format "
                            + key.getFormat()
                            + " cannot be written as PKCS#8");
        }
        return block("PRIVATE KEY", key.getEncoded());
    }

    /** Every certificate in {@code pem}, in order; at least one. */
    public static List<X509Certificate> readCertificates(String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            var factory = CertificateFactory.getInstance("X.509");
            for (Certificate c :
                    factory.generateCertificates(
                            new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                certificates.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate list: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no certificate in the PEM text");
        }
        return certificates;
    }

    /** The first certificate in {@code pem} (the leaf of a chain). */
    public static X509Certificate readCertificate(String pem) {
        return readCertificates(pem).get(0);
    }

    /**
     * An unencrypted private key: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or
     * SEC1 ({@code EC PRIVATE KEY}).
     */
    public static PrivateKey readPrivateKey(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
        } catch (IOException | RuntimeException e) {
            // The parser's message says what was malformed; it does not quote the key.
            throw new IllegalArgumentException(
                    "not a readable PEM private key: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no unencrypted private key in the PEM text");
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN "
                + type
                + "-----\n"
                + BODY.encodeToString(der)
                + "\n-----END "
                + type
                + "-----\n";
    }
}
