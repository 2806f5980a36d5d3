package io.realmgate.operator.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The operator's Kubernetes client: Fabric8's, with the JSON reading the operator's caches need at
 * scale ({@link SharedManagedFields}). Main and the tests against a real API server build it here,
 * so both run the same reading.
 */
public final class OperatorClient {
    private OperatorClient() {}

    /** A client builder with the operator's serialization; the configuration is the caller's. */
    public static KubernetesClientBuilder builder() {
        return new KubernetesClientBuilder().withKubernetesSerialization(serialization());
    }

    static KubernetesSerialization serialization() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.registerModule(SharedManagedFields.module());
        return new KubernetesSerialization(mapper, true);
    }
}
