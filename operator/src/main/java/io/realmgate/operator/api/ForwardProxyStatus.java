package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ForwardProxyStatus implements WithConditions {
    public Long observedGeneration;
    public List<Condition> conditions = new ArrayList<>();

    /** The proxy URL clients configure, e.g. http://egress.apps.svc:3128. */
    public String endpoint;

    /** The target rules the proxy enforces, as rendered into its configuration. */
    public List<String> targets;

    @Override
    public List<Condition> conditions() {
        return conditions;
    }
}
