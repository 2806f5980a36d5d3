package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
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

    /** Proxy pods the Deployment has (its status.replicas): the scale subresource's replicas. */
    @StatusReplicas public Integer replicas;

    /**
     * The proxy pods' label selector as a string: the scale subresource's selector, which a
     * HorizontalPodAutoscaler reads to find the pods.
     */
    @LabelSelector public String selector;

    @Override
    public List<Condition> conditions() {
        return conditions;
    }
}
