package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RealmStatus implements WithConditions {
    public Long observedGeneration;
    public List<Condition> conditions = new ArrayList<>();
    public Endpoints endpoints;

    /**
     * The realm's wss URLs for clients outside the cluster (spec.expose), such as {@code
     * wss://realm.example.com:30443/realm}; absent while none is known.
     */
    public List<String> externalEndpoints;

    /** The engine that holds the realm's channels ({@code spec.engine.type}), such as memory. */
    public String engine;

    /** ConfigMap in this namespace holding the CA bundle (ca.crt) clients should trust. */
    public String caBundleConfigMap;

    /** Realm pods the Deployment has (its status.replicas): the scale subresource's replicas. */
    @StatusReplicas public Integer replicas;

    /** The realm pods' label selector as a string: the scale subresource's selector. */
    @LabelSelector public String selector;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Endpoints {
        public String webSocket;
        public String secureWebSocket;
    }

    @Override
    public List<Condition> conditions() {
        return conditions;
    }
}
