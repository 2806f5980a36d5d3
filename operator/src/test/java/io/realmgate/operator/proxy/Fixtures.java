package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.RealmSpec;
import io.realmgate.operator.api.TargetSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Custom resources as the API server would hand them over (defaults filled in). */
final class Fixtures {
    static final OperatorSettings SETTINGS = OperatorSettings.defaults();

    private Fixtures() {}

    static Realm realm(String name, String namespace, Integer wsPort, Integer wssPort) {
        Realm realm = new Realm();
        realm.setMetadata(
                new ObjectMetaBuilder()
                        .withName(name)
                        .withNamespace(namespace)
                        .withGeneration(1L)
                        .build());
        RealmSpec spec = new RealmSpec();
        spec.webSocket.enabled = wsPort != null;
        if (wsPort != null) {
            spec.webSocket.port = wsPort;
        }
        spec.secureWebSocket.enabled = wssPort != null;
        if (wssPort != null) {
            spec.secureWebSocket.port = wssPort;
        }
        realm.setSpec(spec);
        return realm;
    }

    static ForwardProxy proxy(String name, String namespace, TargetSpec... targets) {
        ForwardProxy proxy = new ForwardProxy();
        proxy.setMetadata(
                new ObjectMetaBuilder()
                        .withName(name)
                        .withNamespace(namespace)
                        .withGeneration(1L)
                        .withUid("0d7f4bd5-4b8c-4c39-a2a8-1e3c0b6f3a11")
                        .build());
        ForwardProxySpec spec = new ForwardProxySpec();
        spec.allowConnect = new ArrayList<>(Arrays.asList(targets));
        proxy.setSpec(spec);
        return proxy;
    }

    static TargetSpec realmTarget(String realm, Integer... ports) {
        TargetSpec t = new TargetSpec();
        t.realm = realm;
        t.ports = ports.length == 0 ? null : List.of(ports);
        return t;
    }

    static TargetSpec hostTarget(String host, Integer... ports) {
        TargetSpec t = new TargetSpec();
        t.host = host;
        t.ports = List.of(ports);
        return t;
    }
}
