package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxyStatus;
import io.realmgate.operator.status.Conditions;
import io.realmgate.operator.status.Reasons;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A ForwardProxy's next status, from what one reconcile found. Ready is True when nothing is
 * missing (realms, ports, Secrets) and the Deployment has rolled out: its controller has seen the
 * current template and every wanted replica is updated and available. CertificateReady is there
 * while TLS is on.
 */
final class ProxyStatusModel {
    private ProxyStatusModel() {}

    static ForwardProxyStatus next(
            ForwardProxy proxy, ProxyInputs inputs, Optional<Deployment> deployment, Instant now) {
        ForwardProxyStatus previous =
                proxy.getStatus() == null ? new ForwardProxyStatus() : proxy.getStatus();
        long generation = generation(proxy);
        ForwardProxyStatus next = new ForwardProxyStatus();
        next.observedGeneration = generation;
        next.endpoint = inputs.model().endpoint();
        next.targets = inputs.model().rules();
        next.replicas = deployment.map(ProxyStatusModel::replicas).orElse(0);
        next.selector = Names.selectorText(Names.proxySelector(inputs.model().name()));

        List<Problem> problems = inputs.problems();
        boolean ready;
        String reason;
        String message;
        if (!problems.isEmpty()) {
            ready = false;
            reason = problems.get(0).reason();
            message = problems.stream().map(Problem::message).collect(Collectors.joining("; "));
        } else {
            int wanted = wantedReplicas(proxy);
            int available = deployment.map(ProxyStatusModel::availableReplicas).orElse(0);
            ready = deployment.map(d -> rolledOut(d, wanted)).orElse(false);
            reason = ready ? Reasons.DEPLOYMENT_AVAILABLE : Reasons.DEPLOYMENT_NOT_AVAILABLE;
            message = available + "/" + wanted + " replicas available";
        }
        List<Condition> conditions =
                Conditions.with(
                        previous.conditions,
                        Conditions.READY,
                        ready,
                        reason,
                        message,
                        generation,
                        now);
        Optional<ProxyInputs.ConditionValue> certificate = inputs.certificateCondition();
        if (certificate.isPresent()) {
            ProxyInputs.ConditionValue c = certificate.get();
            conditions =
                    Conditions.with(
                            conditions,
                            Conditions.CERTIFICATE_READY,
                            c.status(),
                            c.reason(),
                            c.message(),
                            generation,
                            now);
        } else {
            conditions = without(conditions, Conditions.CERTIFICATE_READY);
        }
        next.conditions = inputs.model().capacity().condition(conditions, generation, now);
        return next;
    }

    /**
     * The status after a reconcile that failed: Ready False with what went wrong; the rest stays.
     */
    static ForwardProxyStatus failed(ForwardProxy proxy, String message, Instant now) {
        ForwardProxyStatus previous =
                proxy.getStatus() == null ? new ForwardProxyStatus() : proxy.getStatus();
        ForwardProxyStatus next = new ForwardProxyStatus();
        next.observedGeneration = previous.observedGeneration;
        next.endpoint = previous.endpoint;
        next.targets = previous.targets;
        next.replicas = previous.replicas;
        next.selector = previous.selector;
        next.conditions =
                Conditions.with(
                        previous.conditions,
                        Conditions.READY,
                        false,
                        Reasons.RECONCILE_FAILED,
                        message,
                        generation(proxy),
                        now);
        return next;
    }

    static boolean rolledOut(Deployment deployment, int wanted) {
        var status = deployment.getStatus();
        if (status == null) {
            return wanted == 0;
        }
        Long generationOrNull = deployment.getMetadata().getGeneration();
        long generation = generationOrNull == null ? 0 : generationOrNull;
        long observed = status.getObservedGeneration() == null ? 0 : status.getObservedGeneration();
        return observed >= generation
                && count(status.getUpdatedReplicas()) >= wanted
                && count(status.getAvailableReplicas()) >= wanted;
    }

    /** The pods the Deployment has, ready or not (its status.replicas). */
    private static int replicas(Deployment deployment) {
        return deployment.getStatus() == null ? 0 : count(deployment.getStatus().getReplicas());
    }

    private static int availableReplicas(Deployment deployment) {
        return deployment.getStatus() == null
                ? 0
                : count(deployment.getStatus().getAvailableReplicas());
    }

    private static int wantedReplicas(ForwardProxy proxy) {
        return ProxyModel.replicas(proxy);
    }

    private static int count(Integer n) {
        return n == null ? 0 : n;
    }

    private static long generation(ForwardProxy proxy) {
        Long g = proxy.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }

    private static List<Condition> without(List<Condition> conditions, String type) {
        List<Condition> kept = new ArrayList<>();
        for (Condition c : conditions) {
            if (!type.equals(c.getType())) {
                kept.add(c);
            }
        }
        return kept;
    }
}
