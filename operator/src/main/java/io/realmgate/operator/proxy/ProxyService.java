package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.workload.ChildDependent;

/**
 * Service {@code <name>-proxy}: port {@code proxy}, and {@code transparent} when that listener is
 * on.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.PROXY_CHILD_SELECTOR))
public class ProxyService extends ChildDependent<Service, ForwardProxy, ProxyModel> {
    static final String NAME = "proxy-service";

    public ProxyService() {
        super(Service.class, ProxyModel.class);
    }

    @Override
    protected String childName(ForwardProxy proxy) {
        return Names.proxy(proxy);
    }

    @Override
    protected Service desired(ProxyModel model) {
        return model.service();
    }
}
