package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.workload.ChildDependent;

/**
 * NetworkPolicy {@code <name>-proxy}: ingress from the declared clients, egress to DNS and the
 * targets.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.PROXY_CHILD_SELECTOR))
public class ProxyNetworkPolicy extends ChildDependent<NetworkPolicy, ForwardProxy, ProxyModel> {
    static final String NAME = "proxy-network-policy";

    public ProxyNetworkPolicy() {
        super(NetworkPolicy.class, ProxyModel.class);
    }

    @Override
    protected String childName(ForwardProxy proxy) {
        return Names.proxy(proxy);
    }

    @Override
    protected NetworkPolicy desired(ProxyModel model) {
        return model.networkPolicy();
    }
}
