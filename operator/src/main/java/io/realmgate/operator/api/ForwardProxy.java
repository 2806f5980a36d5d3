package io.realmgate.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A secured forward proxy: CONNECT only to declared targets, only from declared clients. */
@Group(Realm.GROUP)
@Version(Realm.VERSION)
@ShortNames("fwp")
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Endpoint",
        jsonPath = ".status.endpoint",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class ForwardProxy extends CustomResource<ForwardProxySpec, ForwardProxyStatus>
        implements Namespaced {
    @Override
    protected ForwardProxySpec initSpec() {
        return new ForwardProxySpec();
    }
}
