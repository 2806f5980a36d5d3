package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.workload.ChildDependent;

/** ConfigMap {@code <name>-proxy-config}: the rendered proxy.yaml. */
// Server-side apply like every other child (JOSDK 5 leaves ConfigMaps and Secrets to update by
// default).
@KubernetesDependent(
        useSSA = BooleanWithUndefined.TRUE,
        informer = @Informer(labelSelector = Names.PROXY_CHILD_SELECTOR))
public class ProxyConfigMap extends ChildDependent<ConfigMap, ForwardProxy, ProxyModel> {
    static final String NAME = "proxy-config-map";

    public ProxyConfigMap() {
        super(ConfigMap.class, ProxyModel.class);
    }

    @Override
    protected String childName(ForwardProxy proxy) {
        return Names.proxyConfig(proxy);
    }

    @Override
    protected ConfigMap desired(ProxyModel model) {
        return model.configMap();
    }
}
