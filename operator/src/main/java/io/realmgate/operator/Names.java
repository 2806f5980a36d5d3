package io.realmgate.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Names, labels and the controlling owner reference of every child object, in one place. A Realm
 * {@code prices} owns Deployment, Service and NetworkPolicy {@code prices-realm}, TLS Secret {@code
 * prices-realm-tls} and CA-bundle ConfigMap {@code prices-realm-ca}, config ConfigMap {@code
 * prices-realm-config} and (redis, several replicas) PodDisruptionBudget {@code prices-realm}; a
 * ForwardProxy {@code egress} owns {@code egress-proxy}, {@code egress-proxy-config}, {@code
 * egress-proxy-tls}. The suffix keeps a Realm and a ForwardProxy of the same name apart.
 */
public final class Names {
    public static final String REALM_SUFFIX = "-realm";
    public static final String PROXY_SUFFIX = "-proxy";

    public static final String LABEL_NAME = "app.kubernetes.io/name";
    public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
    public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String LABEL_PART_OF = "app.kubernetes.io/part-of";
    public static final String MANAGED_BY = "realmgate-operator";
    public static final String REALM_APP = "realmgate-realm";
    public static final String PROXY_APP = "realmgate-proxy";

    /**
     * Label selectors of the operator's realm and proxy children: the dependents' informers cache
     * these, not every object of the type in the namespace.
     */
    public static final String REALM_CHILD_SELECTOR =
            LABEL_NAME + "=" + REALM_APP + "," + LABEL_MANAGED_BY + "=" + MANAGED_BY;

    public static final String PROXY_CHILD_SELECTOR =
            LABEL_NAME + "=" + PROXY_APP + "," + LABEL_MANAGED_BY + "=" + MANAGED_BY;

    /**
     * Label selector of everything the operator did not make, for the informers of Secrets users
     * name (a realm's certificate, a proxy's users and certificate): they need not hold the TLS
     * Secrets the operator issued, which the dependents' informers already cache
     * (docs/decisions.md, "Operator: caches sized for thousands of resources").
     */
    public static final String NOT_OPERATOR_CHILD_SELECTOR = LABEL_MANAGED_BY + "!=" + MANAGED_BY;

    /**
     * Proxy pod-template annotation: hash of what the proxy reads only at start (its listeners), so
     * the pods roll when that changes and only then. What it reloads live (the rest of its config
     * file, its certificate, its users file) stays out of the pod template: docs/decisions.md,
     * "Operator: pods roll only for what the program cannot reload".
     */
    public static final String RESTART_HASH_ANNOTATION = "realmgate.io/restart-hash";

    private Names() {}

    public static String realm(HasMetadata realm) {
        return realm.getMetadata().getName() + REALM_SUFFIX;
    }

    public static String realmService(String realmName) {
        return realmName + REALM_SUFFIX;
    }

    /** The Service that exposes a realm's wss listener outside the cluster (spec.expose). */
    public static String realmExternalService(HasMetadata realm) {
        return realm(realm) + "-external";
    }

    public static String realmTlsSecret(HasMetadata realm) {
        return realm(realm) + "-tls";
    }

    /** The Secret cert-manager writes a realm's certificate into (spec.tls.issuerRef). */
    public static String realmCertManagerSecret(HasMetadata realm) {
        return realm(realm) + "-cert-manager-tls";
    }

    public static String realmCaBundle(HasMetadata realm) {
        return realm(realm) + "-ca";
    }

    /** The ConfigMap of the realm's rendered config file (realm.yaml). */
    public static String realmConfig(HasMetadata realm) {
        return realm(realm) + "-config";
    }

    public static String proxy(HasMetadata proxy) {
        return proxy.getMetadata().getName() + PROXY_SUFFIX;
    }

    public static String proxyConfig(HasMetadata proxy) {
        return proxy(proxy) + "-config";
    }

    public static String proxyTlsSecret(HasMetadata proxy) {
        return proxy(proxy) + "-tls";
    }

    /**
     * The custom resource as its children's controlling owner: the garbage collector deletes a
     * child with it, a foreground deletion waits for the child, and {@code kubectl get} shows who
     * manages it. (JOSDK's own owner reference has neither controller nor blockOwnerDeletion; it
     * keeps this one, which has the same uid.)
     */
    public static OwnerReference controller(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** Fully qualified DNS name of a Service. */
    public static String serviceHost(String service, String namespace, String clusterDomain) {
        return serviceHostShort(service, namespace) + "." + clusterDomain;
    }

    /**
     * A Service's name as status endpoints give it, {@code <svc>.<ns>.svc}: every pod's resolver
     * completes it with the cluster domain from its search path, whatever that domain is.
     */
    public static String serviceHostShort(String service, String namespace) {
        return service + "." + namespace + ".svc";
    }

    /**
     * Labels that select a realm's pods (Deployment selector, Service selector, NetworkPolicy
     * podSelector).
     */
    public static Map<String, String> realmSelector(String realmName) {
        return Map.of(LABEL_NAME, REALM_APP, LABEL_INSTANCE, realmName);
    }

    public static Map<String, String> proxySelector(String proxyName) {
        return Map.of(LABEL_NAME, PROXY_APP, LABEL_INSTANCE, proxyName);
    }

    /**
     * A selector as the text a scale subresource reports ({@code status.selector}): {@code k=v}
     * pairs sorted by key, comma-separated, as {@code kubectl get --selector} and a
     * HorizontalPodAutoscaler read it.
     */
    public static String selectorText(Map<String, String> selector) {
        return new TreeMap<>(selector)
                .entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(","));
    }

    /** Labels on every child: the selector labels plus component, managed-by and part-of. */
    public static Map<String, String> realmLabels(String realmName) {
        return labels(realmSelector(realmName), "realm");
    }

    public static Map<String, String> proxyLabels(String proxyName) {
        return labels(proxySelector(proxyName), "proxy");
    }

    private static Map<String, String> labels(Map<String, String> selector, String component) {
        Map<String, String> labels = new LinkedHashMap<>(selector);
        labels.put(LABEL_COMPONENT, component);
        labels.put(LABEL_MANAGED_BY, MANAGED_BY);
        labels.put(LABEL_PART_OF, "realmgate");
        return labels;
    }
}
