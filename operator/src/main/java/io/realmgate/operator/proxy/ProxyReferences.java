package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.realmgate.operator.Names;
import io.realmgate.operator.access.SecretGrants;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.TargetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The objects a ForwardProxy names but does not own: Realms ({@code allowConnect[].realm}) and
 * Secrets ({@code auth.basicSecretRef}, {@code tls.secretName}), each watched so that a change
 * re-reconciles exactly the proxies that name it. The proxies are found through an index on the
 * ForwardProxy cache, by {@code namespace/name} of what they reference. Also the TLS Secrets the
 * operator issues, for the {@link ProxyTlsSecret} dependent. With {@link SecretGrants}, both Secret
 * informers watch only the namespaces that granted the operator their Secrets.
 */
final class ProxyReferences {
    static final String REALMS = "realms";
    static final String SECRETS = "referenced-secrets";
    private static final String REALM_INDEX = "realmgate.io/referenced-realms";
    private static final String SECRET_INDEX = "realmgate.io/referenced-secrets";

    private ProxyReferences() {}

    /**
     * Realms in the watched namespaces. A spec change (generation), a new Realm and a deleted one
     * re-reconcile the proxies that name it; a Realm's status changes do not.
     */
    static InformerEventSource<Realm, ForwardProxy> realms(
            EventSourceContext<ForwardProxy> context) {
        context.getPrimaryCache().addIndexer(REALM_INDEX, ProxyReferences::realmKeys);
        var config =
                InformerEventSourceConfiguration.from(Realm.class, ForwardProxy.class)
                        .withName(REALMS)
                        .withSecondaryToPrimaryMapper(
                                realm -> referencing(context, REALM_INDEX, realm))
                        .withPrimaryToSecondaryMapper(
                                (ForwardProxy proxy) -> ids(proxy, realmNames(proxy)))
                        .withOnUpdateFilter(
                                (now, before) ->
                                        !Objects.equals(
                                                now.getMetadata().getGeneration(),
                                                before.getMetadata().getGeneration()))
                        .build();
        return new InformerEventSource<>(config, context);
    }

    /**
     * Secrets in the watched namespaces, for the users file and a TLS Secret of the user's own: a
     * change rolls the pods (their content is in the config hash). Secrets no proxy names map to
     * nothing. The Secrets the operator issued are left out ({@link
     * Names#NOT_OPERATOR_CHILD_SELECTOR}): they are no user's to name.
     */
    static InformerEventSource<Secret, ForwardProxy> secrets(
            EventSourceContext<ForwardProxy> context, Optional<SecretGrants<ForwardProxy>> grants) {
        context.getPrimaryCache().addIndexer(SECRET_INDEX, ProxyReferences::secretKeys);
        var config =
                InformerEventSourceConfiguration.from(Secret.class, ForwardProxy.class)
                        .withName(SECRETS)
                        .withLabelSelector(Names.NOT_OPERATOR_CHILD_SELECTOR)
                        .withSecondaryToPrimaryMapper(
                                secret -> referencing(context, SECRET_INDEX, secret))
                        .withPrimaryToSecondaryMapper(
                                (ForwardProxy proxy) -> ids(proxy, secretNames(proxy)));
        return SecretGrants.secretInformer(config, context, grants);
    }

    /**
     * The TLS Secrets the operator issued (labelled as its proxy children), shared with {@link
     * ProxyTlsSecret}.
     */
    static InformerEventSource<Secret, ForwardProxy> issuedTlsSecrets(
            EventSourceContext<ForwardProxy> context, Optional<SecretGrants<ForwardProxy>> grants) {
        var config =
                InformerEventSourceConfiguration.from(Secret.class, ForwardProxy.class)
                        .withName(ProxyTlsSecret.NAME)
                        .withLabelSelector(Names.PROXY_CHILD_SELECTOR)
                        .withSecondaryToPrimaryMapper(
                                Mappers.fromOwnerReferences(ForwardProxy.class, false));
        return SecretGrants.secretInformer(config, context, grants);
    }

    static List<String> realmNames(ForwardProxy proxy) {
        ForwardProxySpec spec = ProxyConfigFile.spec(proxy);
        List<String> names = new ArrayList<>();
        for (TargetSpec t : spec.allowConnect == null ? List.<TargetSpec>of() : spec.allowConnect) {
            if (t != null && t.realm != null && !names.contains(t.realm)) {
                names.add(t.realm);
            }
        }
        return names;
    }

    static List<String> secretNames(ForwardProxy proxy) {
        ForwardProxySpec spec = ProxyConfigFile.spec(proxy);
        List<String> names = new ArrayList<>();
        if (spec.auth != null
                && spec.auth.basicSecretRef != null
                && spec.auth.basicSecretRef.name != null) {
            names.add(spec.auth.basicSecretRef.name);
        }
        if (spec.tls != null
                && spec.tls.on()
                && spec.tls.secretName != null
                && !names.contains(spec.tls.secretName)) {
            names.add(spec.tls.secretName);
        }
        return names;
    }

    private static List<String> realmKeys(ForwardProxy proxy) {
        return keys(proxy, ProxyReferences::realmNames);
    }

    private static List<String> secretKeys(ForwardProxy proxy) {
        return keys(proxy, ProxyReferences::secretNames);
    }

    private static List<String> keys(
            ForwardProxy proxy, Function<ForwardProxy, List<String>> names) {
        return names.apply(proxy).stream()
                .map(n -> key(proxy.getMetadata().getNamespace(), n))
                .toList();
    }

    private static Set<ResourceID> referencing(
            EventSourceContext<ForwardProxy> context, String index, HasMetadata referenced) {
        String key =
                key(referenced.getMetadata().getNamespace(), referenced.getMetadata().getName());
        return context.getPrimaryCache().byIndex(index, key).stream()
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    private static Set<ResourceID> ids(ForwardProxy proxy, List<String> names) {
        String namespace = proxy.getMetadata().getNamespace();
        return names.stream().map(n -> new ResourceID(n, namespace)).collect(Collectors.toSet());
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
