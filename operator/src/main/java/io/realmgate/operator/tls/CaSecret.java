package io.realmgate.operator.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.realmgate.operator.Names;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How {@link CaState} is kept in a Secret of type {@code kubernetes.io/tls}: {@code tls.crt} and
 * {@code tls.key} are the current CA, {@code next.crt} and {@code next.key} the next CA during a
 * rotation's overlap, {@code ca-bundle.crt} every CA certificate clients should trust (the current
 * one first). The annotation {@link #ROTATE_ANNOTATION} asks for a rotation. Pure mapping, both
 * ways.
 */
public final class CaSecret {
    public static final String BUNDLE_KEY = "ca-bundle.crt";
    public static final String NEXT_CRT = "next.crt";
    public static final String NEXT_KEY = "next.key";

    /**
     * Set (to any value) on the CA Secret, it starts a rotation; the operator removes it when it
     * writes the staged CA.
     */
    public static final String ROTATE_ANNOTATION = "realmgate.io/rotate-ca";

    private CaSecret() {}

    /**
     * The Secret for {@code state}; {@code resourceVersion} (may be null) makes an update
     * conditional.
     */
    public static Secret toSecret(
            String namespace, String name, CaState state, String resourceVersion) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(Names.LABEL_NAME, "realmgate-ca");
        labels.put(Names.LABEL_COMPONENT, "ca");
        labels.put(Names.LABEL_MANAGED_BY, Names.MANAGED_BY);
        labels.put(Names.LABEL_PART_OF, "realmgate");
        Map<String, String> data = new TreeMap<>();
        data.put(
                TlsSecrets.TLS_CRT,
                TlsSecrets.base64(Pem.certificate(state.current().certificate())));
        data.put(
                TlsSecrets.TLS_KEY,
                TlsSecrets.base64(Pem.privateKey(state.current().privateKey())));
        state.next()
                .ifPresent(
                        next -> {
                            data.put(
                                    NEXT_CRT,
                                    TlsSecrets.base64(Pem.certificate(next.certificate())));
                            data.put(
                                    NEXT_KEY, TlsSecrets.base64(Pem.privateKey(next.privateKey())));
                        });
        data.put(BUNDLE_KEY, TlsSecrets.base64(state.bundlePem()));
        return new SecretBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .withLabels(labels)
                .withResourceVersion(resourceVersion)
                .endMetadata()
                .withType(TlsSecrets.TYPE)
                .withData(data)
                .build();
    }

    /**
     * The state a Secret holds. The bundle may be missing (a CA Secret made by hand): the previous
     * CAs are then none.
     *
     * @throws IllegalStateException naming the Secret and the key that is missing or unreadable
     */
    public static CaState fromSecret(Secret secret) {
        String where =
                "CA Secret "
                        + secret.getMetadata().getNamespace()
                        + "/"
                        + secret.getMetadata().getName();
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        try {
            CertifiedKey current = ca(data, TlsSecrets.TLS_CRT, TlsSecrets.TLS_KEY, where);
            Optional<CertifiedKey> next =
                    data.containsKey(NEXT_CRT)
                            ? Optional.of(ca(data, NEXT_CRT, NEXT_KEY, where))
                            : Optional.empty();
            String bundle =
                    data.containsKey(BUNDLE_KEY) ? TlsSecrets.decode(data.get(BUNDLE_KEY)) : null;
            List<X509Certificate> previous =
                    bundle == null ? List.of() : Pem.readCertificates(bundle);
            return new CaState(current, next, previous);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + " is unusable: " + e.getMessage(), e);
        }
    }

    /** Whether the Secret asks for a rotation. */
    public static boolean rotationRequested(Secret secret) {
        Map<String, String> annotations = secret.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(ROTATE_ANNOTATION);
    }

    private static CertifiedKey ca(
            Map<String, String> data, String certificateKey, String keyKey, String where) {
        X509Certificate certificate = Pem.readCertificate(required(data, certificateKey, where));
        var key = Pem.readPrivateKey(required(data, keyKey, where));
        if (!Certificates.keyMatches(key, certificate.getPublicKey())) {
            throw new IllegalStateException(
                    where + ": " + keyKey + " is not the key of " + certificateKey);
        }
        if (certificate.getBasicConstraints() < 0) {
            throw new IllegalStateException(
                    where + ": " + certificateKey + " is not a CA certificate");
        }
        return new CertifiedKey(certificate, key);
    }

    private static String required(Map<String, String> data, String key, String where) {
        String value = data.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(where + " has no " + key);
        }
        return TlsSecrets.decode(value);
    }
}
