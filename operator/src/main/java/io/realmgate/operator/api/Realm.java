package io.realmgate.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A WebSocket messaging realm: the realm image behind a Service, with ws and wss listeners. */
@Group(Realm.GROUP)
@Version(Realm.VERSION)
@ShortNames("rlm")
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "WSS",
        jsonPath = ".status.endpoints.secureWebSocket",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "WS",
        jsonPath = ".status.endpoints.webSocket",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "External",
        jsonPath = ".status.externalEndpoints[0]",
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class Realm extends CustomResource<RealmSpec, RealmStatus> implements Namespaced {
    public static final String GROUP = "realmgate.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected RealmSpec initSpec() {
        return new RealmSpec();
    }
}
