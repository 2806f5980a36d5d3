package io.realmgate.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects {@link KubeApi} (or its admin {@link KubernetesClient}) into test constructors and
 * methods, {@code @BeforeAll} included. The API server starts on first use and is shared by every
 * test class of the run: it lives in the root extension context's store, which stops it when the
 * run ends.
 */
public final class KubeApiExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KubeApiExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KubeApi.class || type == KubernetesClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        KubeApi api = shared(context);
        return parameter.getParameter().getType() == KubeApi.class ? api : api.client();
    }

    static KubeApi shared(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(KubeApi.class, key -> KubeApi.start(), KubeApi.class);
    }
}
