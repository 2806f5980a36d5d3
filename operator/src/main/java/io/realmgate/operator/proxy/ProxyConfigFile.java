package io.realmgate.operator.proxy;

import io.realmgate.common.Durations;
import io.realmgate.common.InvalidSetting;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.Pods;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.ProxyTimeouts;
import io.realmgate.proxy.config.ConfigFiles;
import io.realmgate.proxy.config.ProxyConfig;
import io.realmgate.proxy.config.ProxyConfigDocument;
import java.time.Duration;
import java.util.List;

/**
 * The proxy's configuration file for a ForwardProxy, written through the proxy's own {@link
 * ProxyConfigDocument} and {@link ConfigFiles#write}: what the operator renders is what the proxy
 * reads, key for key (docs/proxy-config.md). Only what the ForwardProxy decides is written: the
 * timeouts and size limits it sets, and the connection caps, which are always written, sized for
 * the pod's memory unless the spec sets them ({@link ProxyCapacity}).
 */
public final class ProxyConfigFile {
    /** Where the pod mounts the ConfigMap, and the file in it. */
    public static final String CONFIG_DIR = "/etc/realmgate/config";

    public static final String CONFIG_KEY = "proxy.yaml";
    public static final String CONFIG_PATH = CONFIG_DIR + "/" + CONFIG_KEY;

    /** Where the pod mounts the TLS Secret (kubernetes.io/tls keys). */
    public static final String TLS_DIR = "/etc/realmgate/tls";

    public static final String TLS_CERTIFICATE = TLS_DIR + "/tls.crt";
    public static final String TLS_PRIVATE_KEY = TLS_DIR + "/tls.key";

    /** Where the pod mounts the users Secret's key. */
    public static final String AUTH_DIR = "/etc/realmgate/auth";

    /**
     * The admin listener (/healthz, /readyz, /metrics): probes and scraping, never the proxy's
     * policy.
     */
    public static final int ADMIN_PORT = 9090;

    /** The proxy's name in Via: the proxy allows 1-64 of these characters. */
    private static final int MAX_NAME = 64;

    private ProxyConfigFile() {}

    /**
     * @param rules the target rules (already resolved and checked by the proxy's parser)
     */
    static ProxyConfigDocument document(
            ForwardProxy proxy,
            OperatorSettings settings,
            List<String> rules,
            ProxyCapacity capacity) {
        ForwardProxySpec spec = spec(proxy);
        ProxyConfigDocument doc = new ProxyConfigDocument();
        doc.listen = Pods.anyAddress(port(spec));
        doc.name = viaName(proxy.getMetadata().getName());
        doc.via = !Boolean.FALSE.equals(spec.via);
        doc.allowConnect = List.copyOf(rules);
        doc.allowClients = ProxyClients.allowClients(spec.clients, settings.podNetworks());
        doc.timeouts = timeouts(spec.timeouts);
        doc.limits = new ProxyConfigDocument.Limits();
        doc.limits.maxConnections = capacity.maxConnections();
        doc.limits.maxConnectionsPerClient = capacity.maxConnectionsPerClient();
        if (spec.limits != null) {
            doc.limits.maxHeaderBytes = spec.limits.maxHeaderBytes;
            doc.limits.maxRequestLine = spec.limits.maxRequestLine;
        }
        if (spec.tls != null && spec.tls.on()) {
            doc.tls = new ProxyConfigDocument.Tls();
            doc.tls.certificate = TLS_CERTIFICATE;
            doc.tls.privateKey = TLS_PRIVATE_KEY;
        }
        if (spec.auth != null && spec.auth.basicSecretRef != null) {
            doc.auth = new ProxyConfigDocument.Auth();
            doc.auth.usersFile = usersFile(spec);
        }
        doc.admin = Pods.anyAddress(ADMIN_PORT);
        if (spec.transparent != null && spec.transparent.port != null) {
            doc.transparent = new ProxyConfigDocument.Transparent();
            doc.transparent.listen = Pods.anyAddress(spec.transparent.port);
            doc.transparent.targetPort =
                    spec.transparent.targetPort == null
                            ? spec.transparent.port
                            : spec.transparent.targetPort;
        }
        return doc;
    }

    /** The timeouts the spec sets; null (the proxy's defaults) when it sets none. */
    private static ProxyConfigDocument.Timeouts timeouts(ProxyTimeouts timeouts) {
        if (timeouts == null
                || (timeouts.connect == null
                        && timeouts.header == null
                        && timeouts.idle == null
                        && timeouts.drain == null)) {
            return null;
        }
        ProxyConfigDocument.Timeouts t = new ProxyConfigDocument.Timeouts();
        t.connect = timeouts.connect;
        t.header = timeouts.header;
        t.idle = timeouts.idle;
        t.drain = timeouts.drain;
        return t;
    }

    /**
     * timeouts.drain: the spec's, or the proxy's default (30 s). The schema admits only a whole
     * number and a unit ({@link ProxyTimeouts#DURATION}), which the common grammar reads.
     */
    static Duration drain(ForwardProxySpec spec) {
        if (spec.timeouts == null || spec.timeouts.drain == null) {
            return ProxyConfig.Timeouts.DEFAULTS.drain();
        }
        try {
            return Durations.parse("spec.timeouts.drain", spec.timeouts.drain);
        } catch (InvalidSetting e) {
            // Not what the API server admits; the proxy would refuse it too, at start.
            return ProxyConfig.Timeouts.DEFAULTS.drain();
        }
    }

    /** The YAML the ConfigMap carries. */
    public static String render(ProxyConfigDocument doc) {
        return ConfigFiles.write(doc);
    }

    /** The users file inside the pod: the Secret's key, mounted under {@link #AUTH_DIR}. */
    static String usersFile(ForwardProxySpec spec) {
        return AUTH_DIR + "/" + usersKey(spec);
    }

    static String usersKey(ForwardProxySpec spec) {
        String key = spec.auth.basicSecretRef.key;
        return key == null || key.isEmpty() ? "users" : key;
    }

    static int port(ForwardProxySpec spec) {
        return spec.port == null ? ForwardProxySpec.DEFAULT_PORT : spec.port;
    }

    static ForwardProxySpec spec(ForwardProxy proxy) {
        return proxy.getSpec() == null ? new ForwardProxySpec() : proxy.getSpec();
    }

    /**
     * A Kubernetes name may have up to 253 characters; the proxy's name in Via up to 64, of a set
     * that includes every character a Kubernetes name may have. Longer names are cut.
     */
    static String viaName(String name) {
        return name.length() <= MAX_NAME ? name : name.substring(0, MAX_NAME);
    }
}
