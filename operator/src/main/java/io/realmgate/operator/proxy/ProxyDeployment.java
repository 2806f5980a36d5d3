package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;

/** Deployment {@code <name>-proxy}: the proxy pods. */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyDependent.CHILD_SELECTOR))
public class ProxyDeployment extends ProxyDependent<Deployment> {
    static final String NAME = "proxy-deployment";

    public ProxyDeployment() {
        super(Deployment.class);
    }

    @Override
    String childName(ForwardProxy proxy) {
        return Names.proxy(proxy);
    }

    @Override
    Deployment desired(ProxyModel model) {
        return model.deployment();
    }
}
