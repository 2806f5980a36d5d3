package io.realmgate.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * Realm and ForwardProxy as untyped objects, written as YAML the way users write them: the typed
 * API classes initialise fields with their defaults, which would hide what the API server itself
 * defaults and refuses.
 */
public final class RealmgateResources {
    static final String API_VERSION = "realmgate.io/v1alpha1";
    public static final ResourceDefinitionContext REALM =
            new ResourceDefinitionContext.Builder()
                    .withGroup("realmgate.io")
                    .withVersion("v1alpha1")
                    .withKind("Realm")
                    .withPlural("realms")
                    .withNamespaced(true)
                    .build();
    public static final ResourceDefinitionContext FORWARD_PROXY =
            new ResourceDefinitionContext.Builder()
                    .withGroup("realmgate.io")
                    .withVersion("v1alpha1")
                    .withKind("ForwardProxy")
                    .withPlural("forwardproxies")
                    .withNamespaced(true)
                    .build();

    private RealmgateResources() {}

    static MixedOperation<
                    GenericKubernetesResource,
                    GenericKubernetesResourceList,
                    Resource<GenericKubernetesResource>>
            realms(KubernetesClient client) {
        return client.genericKubernetesResources(REALM);
    }

    static MixedOperation<
                    GenericKubernetesResource,
                    GenericKubernetesResourceList,
                    Resource<GenericKubernetesResource>>
            forwardProxies(KubernetesClient client) {
        return client.genericKubernetesResources(FORWARD_PROXY);
    }

    /** An object from YAML text. */
    static GenericKubernetesResource parse(KubernetesClient client, String yaml) {
        return client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    }

    /** A directory of test resources on disk, for kubectl -f. */
    static Path resourceDir(String name) {
        URL url = RealmgateResources.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalStateException("no test resource directory " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
