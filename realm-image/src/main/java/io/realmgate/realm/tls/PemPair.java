package io.realmgate.realm.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A certificate chain and its private key, read from PEM files (PKCS#8 or PKCS#1 keys, as
 * Kubernetes TLS Secrets carry them) and checked to belong together. The check matters during a
 * rotation: a new certificate next to the old key must be refused, not served.
 */
record PemPair(PrivateKey key, X509Certificate[] chain) {
    static PemPair read(Path certFile, Path keyFile) throws IOException {
        X509Certificate[] chain;
        try (InputStream in = Files.newInputStream(certFile)) {
            List<X509Certificate> certs = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
            if (certs.isEmpty()) {
                throw new IOException(certFile + " holds no certificate");
            }
            chain = certs.toArray(new X509Certificate[0]);
        } catch (GeneralSecurityException e) {
            throw new IOException(certFile + ": " + e.getMessage(), e);
        }
        PrivateKey key;
        try (Reader r = Files.newBufferedReader(keyFile);
                PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                key = conv.getPrivateKey(pair.getPrivateKeyInfo());
            } else if (o instanceof PrivateKeyInfo info) {
                key = conv.getPrivateKey(info);
            } else {
                throw new IOException(keyFile + " holds no unencrypted private key");
            }
        }
        if (!matches(key, chain[0])) {
            throw new IOException(
                    keyFile + " is not the private key of the certificate in " + certFile);
        }
        return new PemPair(key, chain);
    }

    /** Signs a probe with the key and verifies it with the certificate's public key. */
    private static boolean matches(PrivateKey key, X509Certificate cert) throws IOException {
        String alg =
                switch (key.getAlgorithm()) {
                    case "EC", "ECDSA" -> "SHA256withECDSA";
                    case "RSA" -> "SHA256withRSA";
                    case "Ed25519", "EdDSA" -> "Ed25519";
                    default -> null;
                };
        if (alg == null) {
            return true; // unknown key type: leave the check to the TLS handshake
        }
        try {
            byte[] probe = "realmgate key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
