package io.realmgate.kube.install;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.realmgate.kube.KubeApi;
import io.realmgate.operator.OperatorOptions;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.RealmgateOperator;
import io.realmgate.operator.tls.OperatorCa;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The operator in this JVM as Main builds it (CA, leader election on the Lease in its namespace)
 * from the flags the chart gives it, but every API call it makes goes through a client that
 * impersonates the chart's ServiceAccount: it has exactly the chart's permissions, no more. What it
 * logs at WARN and above is kept, to find any "forbidden" the API server said.
 */
final class OperatorAsServiceAccount implements AutoCloseable {
    private final KubernetesClient client;
    private final Operator operator;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    private OperatorAsServiceAccount(KubeApi api, String serviceAccount, OperatorOptions options) {
        OperatorSettings settings = options.settings();
        String namespace = settings.operatorNamespace();
        this.client = impersonating(api, namespace, serviceAccount);
        log.start();
        root.addAppender(log);
        this.operator =
                RealmgateOperator.create(
                        client,
                        settings,
                        new OperatorCa(client, settings, Clock.systemUTC()),
                        options.namespaces(),
                        o ->
                                o.withLeaderElectionConfiguration(
                                        LeaderElectionConfigurationBuilder
                                                .aLeaderElectionConfiguration(
                                                        OperatorOptions.LEASE_NAME)
                                                .withLeaseNamespace(namespace)
                                                .withIdentity("install-test-" + serviceAccount)
                                                .withExitOnStopLeading(false)
                                                .build()));
    }

    /**
     * Starts the operator as {@code system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT}, NAMESPACE
     * being its operator namespace, with the options of the chart's flags
     * (HelmChartTest.parseFlags).
     */
    static OperatorAsServiceAccount start(
            KubeApi api, String serviceAccount, OperatorOptions options) {
        OperatorAsServiceAccount running =
                new OperatorAsServiceAccount(api, serviceAccount, options);
        try {
            running.operator.start();
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
        return running;
    }

    /**
     * A client with the ServiceAccount's user name and the groups the API server gives every
     * ServiceAccount.
     */
    static KubernetesClient impersonating(KubeApi api, String namespace, String serviceAccount) {
        return api.newClient(
                config ->
                        config.withImpersonateUsername(
                                        "system:serviceaccount:" + namespace + ":" + serviceAccount)
                                .withImpersonateGroups(
                                        "system:serviceaccounts",
                                        "system:serviceaccounts:" + namespace,
                                        "system:authenticated"));
    }

    /** What the API server's authorizer answers for this client (a SelfSubjectAccessReview). */
    static boolean can(
            KubernetesClient client,
            String verb,
            String group,
            String resource,
            String namespace,
            String name) {
        var review =
                new SelfSubjectAccessReviewBuilder()
                        .withNewSpec()
                        .withNewResourceAttributes()
                        .withVerb(verb)
                        .withGroup(group)
                        .withResource(resource)
                        .withNamespace(namespace)
                        .withName(name)
                        .endResourceAttributes()
                        .endSpec()
                        .build();
        return client.authorization()
                .v1()
                .selfSubjectAccessReview()
                .create(review)
                .getStatus()
                .getAllowed();
    }

    KubernetesClient client() {
        return client;
    }

    /** Log lines at WARN or above that mention an authorization failure. */
    List<String> forbiddenInLog() {
        List<String> found = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(log.list)) {
            if (!e.getLevel().isGreaterOrEqual(Level.WARN)) {
                continue;
            }
            StringBuilder text = new StringBuilder(e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                text.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
            }
            String lower = text.toString().toLowerCase(Locale.ROOT);
            if (lower.contains("forbidden")
                    || lower.contains("code=403")
                    || lower.contains("cannot ")) {
                found.add(e.getLoggerName() + ": " + text);
            }
        }
        return found;
    }

    @Override
    public void close() {
        try {
            operator.stop();
        } finally {
            root.detachAppender(log);
            client.close();
        }
    }
}
