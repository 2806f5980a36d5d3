package io.realmgate.operator.workload;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** TCP ports of the children's Services. */
public final class ServicePorts {
    private ServicePorts() {}

    /**
     * A TCP port.
     *
     * @param targetPort the container port, by name or number
     * @param appProtocol the port's {@code appProtocol} (e.g. {@code kubernetes.io/ws}); null for
     *     none
     */
    public static ServicePort tcp(
            String name, int port, IntOrString targetPort, String appProtocol) {
        return new ServicePortBuilder()
                .withName(name)
                .withProtocol("TCP")
                .withPort(port)
                .withTargetPort(targetPort)
                .withAppProtocol(appProtocol)
                .build();
    }
}
