package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;

/** Service {@code <name>-proxy}: port {@code proxy}, and {@code transparent} when that listener is on. */
@KubernetesDependent(informer = @Informer(labelSelector = ProxyDependent.CHILD_SELECTOR))
public class ProxyService extends ProxyDependent<Service> {
    static final String NAME = "proxy-service";

    public ProxyService() {
        super(Service.class);
    }

    @Override
    String childName(ForwardProxy proxy) {
        return Names.proxy(proxy);
    }

    @Override
    Service desired(ProxyModel model) {
        return model.service();
    }
}
