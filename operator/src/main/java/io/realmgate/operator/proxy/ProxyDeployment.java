package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.workload.ChildDependent;

/** Deployment {@code <name>-proxy}: the proxy pods. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.PROXY_CHILD_SELECTOR))
public class ProxyDeployment extends ChildDependent<Deployment, ForwardProxy, ProxyModel> {
    static final String NAME = "proxy-deployment";

    public ProxyDeployment() {
        super(Deployment.class, ProxyModel.class);
    }

    @Override
    protected String childName(ForwardProxy proxy) {
        return Names.proxy(proxy);
    }

    @Override
    protected Deployment desired(ProxyModel model) {
        return model.deployment();
    }
}
