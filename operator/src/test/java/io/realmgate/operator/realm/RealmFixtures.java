package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.realm.config.RealmConfigDocument;
import java.time.Instant;
import java.util.List;

/**
 * Realms and certificates for the model tests. The model never parses a certificate (it copies PEM
 * text into a Secret and hashes it), so the PEM here is labelled text, not a real certificate.
 */
final class RealmFixtures {
    static final OperatorSettings SETTINGS = OperatorSettings.defaults();
    static final Instant NOT_AFTER = Instant.parse("2031-01-01T00:00:00Z");
    static final Instant RENEW_AT = Instant.parse("2030-12-01T00:00:00Z");

    private RealmFixtures() {}

    /**
     * Realm {@code prices} in {@code apps}: ws 9000, wss 9443, one replica (the CRD's defaults).
     */
    static Realm prices() {
        Realm realm = new Realm();
        realm.setMetadata(
                new ObjectMetaBuilder()
                        .withName("prices")
                        .withNamespace("apps")
                        .withGeneration(3L)
                        .withUid("4c5d2f0e-0000-4000-8000-000000000001")
                        .build());
        realm.setSpec(new RealmSpec());
        return realm;
    }

    static IssuedCertificate issued(String serial) {
        return new IssuedCertificate(
                pem("CERTIFICATE", "leaf " + serial),
                pem("PRIVATE KEY", "key " + serial),
                pem("CERTIFICATE", "ca"),
                List.of("prices-realm", "prices-realm.apps"),
                NOT_AFTER);
    }

    static WssCertificate issuedCertificate(Realm realm, String serial) {
        return WssCertificate.issued(
                io.realmgate.operator.Names.realmTlsSecret(realm),
                issued(serial),
                pem("CERTIFICATE", "ca bundle"),
                RENEW_AT);
    }

    static RealmModel model(Realm realm, String serial, String... proxies) {
        return new RealmModel(realm, SETTINGS, issuedCertificate(realm, serial), List.of(proxies));
    }

    /**
     * The settings a rendered config document holds, as the flags the realm reads them with (the
     * realm's own key-to-flag mapping, {@link RealmConfigDocument#settings()}), in the document's
     * order: {@code [--flag, value, …]}, a list as one comma-separated value.
     */
    static List<String> flags(RealmConfigDocument doc) {
        List<String> out = new java.util.ArrayList<>();
        for (RealmConfigDocument.Setting s : doc.settings()) {
            out.add(s.flag());
            out.add(
                    s.value() instanceof List<?> list
                            ? String.join(",", list.stream().map(Object::toString).toList())
                            : s.value().toString());
        }
        return out;
    }

    /** The settings of the model's rendered config, as {@link #flags(RealmConfigDocument)}. */
    static List<String> flags(RealmModel model) {
        return flags(model.configDocument());
    }

    static String pem(String type, String body) {
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
