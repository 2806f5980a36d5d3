package io.realmgate.operator.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.realmgate.operator.Names;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How {@link CaState} is kept in a Secret of type {@code kubernetes.io/tls}: {@code tls.crt} and
 * {@code tls.key} are the current CA, {@code ca-bundle.crt} every CA certificate clients should
 * trust (the current one first). Pure mapping, both ways.
 */
public final class CaSecret {
    public static final String BUNDLE_KEY = "ca-bundle.crt";

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
            X509Certificate certificate =
                    Pem.readCertificate(required(data, TlsSecrets.TLS_CRT, where));
            var key = Pem.readPrivateKey(required(data, TlsSecrets.TLS_KEY, where));
            if (!Certificates.keyMatches(key, certificate.getPublicKey())) {
                throw new IllegalStateException(where + ": tls.key is not the key of tls.crt");
            }
            if (certificate.getBasicConstraints() < 0) {
                throw new IllegalStateException(where + ": tls.crt is not a CA certificate");
            }
            String bundle =
                    data.containsKey(BUNDLE_KEY) ? TlsSecrets.decode(data.get(BUNDLE_KEY)) : null;
            List<X509Certificate> previous =
                    bundle == null ? List.of() : Pem.readCertificates(bundle);
            return new CaState(new CertifiedKey(certificate, key), previous);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + " is unusable: " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> data, String key, String where) {
        String value = data.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(where + " has no " + key);
        }
        return TlsSecrets.decode(value);
    }
}
