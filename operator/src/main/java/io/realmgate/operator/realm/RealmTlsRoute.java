package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.Names;
import java.util.List;
import java.util.Optional;

/**
 * The TLSRoute of a realm exposed through a Gateway (spec.expose type TLSRoute). Not a workflow
 * dependent: the Gateway API is an optional add-on, and an informer on a kind the API server does
 * not serve would keep the operator from starting. The reconciler therefore asks discovery whether
 * TLSRoute is served, applies the route server-side when it is, and says so in the Exposed
 * condition when it is not. The route carries the Realm as its controller owner, so it goes with
 * the Realm by garbage collection; a Realm that stops asking for it has it deleted here.
 */
final class RealmTlsRoute {
    /**
     * What became of a realm's TLSRoute in this reconcile, for the Exposed condition.
     *
     * @param version the TLSRoute apiVersion the API server serves; empty when it serves none (or
     *     the realm asks for no route)
     * @param failure why discovery or the apply failed (the API server's answer); the realm still
     *     serves inside the cluster, so this is Exposed=False, never a failed reconcile
     */
    record State(Optional<String> version, Optional<String> failure) {
        static State notServed() {
            return new State(Optional.empty(), Optional.empty());
        }

        static State served(String version) {
            return new State(Optional.of(version), Optional.empty());
        }

        static State failed(String message) {
            return new State(Optional.empty(), Optional.of(message));
        }
    }

    /** TLSRoute versions this operator writes, the preferred first. */
    static final List<String> VERSIONS = List.of("v1", "v1alpha3", "v1alpha2");

    private RealmTlsRoute() {}

    /**
     * The apiVersion ({@code gateway.networking.k8s.io/VERSION}) of the newest TLSRoute the API
     * server serves that this operator writes; empty when it serves none.
     */
    static Optional<String> servedVersion(KubernetesClient client) {
        APIGroup group = client.getApiGroup(RealmExposure.GATEWAY_GROUP);
        if (group == null || group.getVersions() == null) {
            return Optional.empty();
        }
        List<String> served =
                group.getVersions().stream().map(GroupVersionForDiscovery::getVersion).toList();
        for (String version : VERSIONS) {
            if (!served.contains(version)) {
                continue;
            }
            String apiVersion = RealmExposure.GATEWAY_GROUP + "/" + version;
            APIResourceList resources = client.getApiResources(apiVersion);
            if (resources != null
                    && resources.getResources() != null
                    && resources.getResources().stream()
                            .anyMatch(r -> RealmExposure.TLS_ROUTE_KIND.equals(r.getKind()))) {
                return Optional.of(apiVersion);
            }
        }
        return Optional.empty();
    }

    /** Applies the realm's TLSRoute server-side, as the operator's other children. */
    static void apply(KubernetesClient client, RealmModel model, String apiVersion) {
        client.resource(model.tlsRoute(apiVersion))
                .fieldManager(Names.MANAGED_BY)
                .forceConflicts()
                .serverSideApply();
    }

    /** Deletes the realm's TLSRoute (every served version names the same object). */
    static void delete(KubernetesClient client, RealmModel model, String apiVersion) {
        client.genericKubernetesResources(apiVersion, RealmExposure.TLS_ROUTE_KIND)
                .inNamespace(model.realm().getMetadata().getNamespace())
                .withName(Names.realm(model.realm()))
                .delete();
    }
}
