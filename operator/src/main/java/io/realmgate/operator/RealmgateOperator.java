package io.realmgate.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.realmgate.operator.proxy.ForwardProxyReconciler;
import io.realmgate.operator.realm.RealmReconciler;
import io.realmgate.operator.tls.CertificateIssuer;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The operator's reconcilers registered on one JOSDK {@link Operator}. Main (the process) and the
 * tests against a real API server both build the operator here, so they run the same thing.
 */
public final class RealmgateOperator {
    private RealmgateOperator() {}

    /**
     * @param namespaces namespaces to watch; empty: all namespaces
     * @param overrides further JOSDK settings (leader election, metrics, ...)
     */
    public static Operator create(
            KubernetesClient client,
            OperatorSettings settings,
            CertificateIssuer issuer,
            Set<String> namespaces,
            Consumer<ConfigurationServiceOverrider> overrides) {
        Operator operator =
                new Operator(
                        o -> {
                            o.withKubernetesClient(client);
                            o.withCloseClientOnStop(false);
                            overrides.accept(o);
                        });
        operator.register(new RealmReconciler(settings, issuer), c -> watch(c, namespaces));
        operator.register(new ForwardProxyReconciler(settings, issuer), c -> watch(c, namespaces));
        return operator;
    }

    private static void watch(
            io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider<?> c,
            Set<String> namespaces) {
        if (!namespaces.isEmpty()) {
            c.settingNamespaces(namespaces);
        }
    }
}
