package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RealmStatus implements WithConditions {
    public Long observedGeneration;
    public List<Condition> conditions = new ArrayList<>();
    public Endpoints endpoints;

    /** The engine that holds the realm's channels ({@code spec.engine.type}), such as memory. */
    public String engine;

    /** ConfigMap in this namespace holding the CA bundle (ca.crt) clients should trust. */
    public String caBundleConfigMap;

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
