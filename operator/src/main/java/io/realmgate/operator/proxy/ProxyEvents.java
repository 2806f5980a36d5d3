package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.realmgate.operator.status.WarningEvents;
import io.realmgate.operator.api.ForwardProxy;
import java.time.Instant;

/**
 * Warning Events on a ForwardProxy ({@code kubectl describe fwp} shows them), recorded when its Ready
 * condition turns False for a new reason, so a failure is announced once, not on every retry.
 */
final class ProxyEvents {

    private ProxyEvents() {
    }

    static void warning(KubernetesClient client, ForwardProxy proxy, String reason, String message, Instant now) {
        WarningEvents.record(client, proxy, reason, message, now);
    }
}
