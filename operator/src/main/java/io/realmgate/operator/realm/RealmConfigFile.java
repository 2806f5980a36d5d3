package io.realmgate.operator.realm;

import io.realmgate.operator.Pods;
import io.realmgate.operator.api.RealmEngine;
import io.realmgate.operator.api.RealmRedis;
import io.realmgate.realm.config.RealmConfigDocument;
import io.realmgate.realm.config.RealmConfigFiles;

/**
 * The realm's config file for a Realm, written through the realm's own {@link RealmConfigDocument}
 * and {@link RealmConfigFiles#write}: what the operator renders is what the realm reads, key for
 * key (docs/realm.md, "The config file"). Listeners, TLS files, admin listener, retention and
 * queues sized for the pod, the spec's limits and origins, the engine and its Redis; the realm's
 * command line is {@code --config} and nothing else. No secret is in it: the Redis password and CA
 * are files mounted from the user's Secrets, named here by path.
 */
public final class RealmConfigFile {
    /** Where the pod mounts the ConfigMap, and the file in it. */
    public static final String CONFIG_DIR = "/etc/realmgate/config";

    public static final String CONFIG_KEY = "realm.yaml";
    public static final String CONFIG_PATH = CONFIG_DIR + "/" + CONFIG_KEY;

    /** Where the pod mounts the key of spec.engine.redis.passwordSecretRef, and the file. */
    public static final String REDIS_PASSWORD_DIR = "/etc/realmgate/redis-auth";

    public static final String REDIS_PASSWORD_FILE_NAME = "password";
    public static final String REDIS_PASSWORD_FILE =
            REDIS_PASSWORD_DIR + "/" + REDIS_PASSWORD_FILE_NAME;

    /** Where the pod mounts the key of spec.engine.redis.caSecretRef, and the file. */
    public static final String REDIS_CA_DIR = "/etc/realmgate/redis-ca";

    public static final String REDIS_CA_FILE_NAME = "ca.crt";
    public static final String REDIS_CA_FILE = REDIS_CA_DIR + "/" + REDIS_CA_FILE_NAME;

    /** The head of the key prefix the operator gives a Realm that names none. */
    public static final String KEY_PREFIX_HEAD = "realmgate:";

    private RealmConfigFile() {}

    static RealmConfigDocument document(RealmModel model) {
        RealmConfigDocument doc = new RealmConfigDocument();
        doc.listeners = new RealmConfigDocument.Listeners();
        doc.listeners.bind = Pods.ANY_ADDRESS;
        doc.listeners.wsPort =
                model.webSocketOn() ? Integer.toString(model.webSocketPort()) : "off";
        doc.listeners.wssPort =
                model.secureWebSocketOn() ? Integer.toString(model.secureWebSocketPort()) : "off";
        // The TLS files are always mounted, so always named (a wss listener turned on later
        // needs no other change).
        doc.tls = new RealmConfigDocument.Tls();
        doc.tls.certificate = RealmModel.TLS_DIR + "/tls.crt";
        doc.tls.privateKey = RealmModel.TLS_DIR + "/tls.key";
        doc.admin = Pods.anyAddress(model.adminPort());
        model.retention().writeTo(doc);
        model.limitSettings().writeTo(doc);
        RealmEngine engine = model.engine();
        doc.engine = engine.statusName();
        if (engine.type() == RealmEngine.Type.REDIS && engine.redis != null) {
            RealmRedis redis = engine.redis;
            doc.redis = new RealmConfigDocument.Redis();
            doc.redis.url = redis.url;
            doc.redis.keyPrefix = keyPrefix(model);
            if (redis.passwordSecretRef != null) {
                doc.redis.passwordFile = REDIS_PASSWORD_FILE;
            }
            if (redis.caSecretRef != null) {
                doc.redis.caFile = REDIS_CA_FILE;
            }
        }
        return doc;
    }

    /** The YAML the ConfigMap carries. */
    static String render(RealmConfigDocument doc) {
        return RealmConfigFiles.write(doc);
    }

    /**
     * spec.engine.redis.keyPrefix, or {@code realmgate:<namespace>/<name>}: unique per Realm in a
     * cluster, so that two Realms on one Redis never share a channel unless told to.
     */
    static String keyPrefix(RealmModel model) {
        RealmRedis redis = model.engine().redis;
        if (redis != null && redis.keyPrefix != null && !redis.keyPrefix.isEmpty()) {
            return redis.keyPrefix;
        }
        return KEY_PREFIX_HEAD
                + model.realm().getMetadata().getNamespace()
                + "/"
                + model.realm().getMetadata().getName();
    }
}
