package io.realmgate.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.realmgate.common.InvalidSetting;
import io.realmgate.common.LogFormat;
import io.realmgate.operator.client.OperatorClient;
import io.realmgate.operator.ops.AdminServer;
import io.realmgate.operator.ops.OperatorHealth;
import io.realmgate.operator.ops.OperatorMetrics;
import io.realmgate.operator.tls.OperatorCa;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar realmgate-operator.jar [flags]}: the operator process. Kubernetes access through
 * Fabric8's auto-configuration ($KUBECONFIG, ~/.kube/config, or the pod's service account); leader
 * election on a Lease unless turned off; the admin endpoint; a graceful stop on SIGTERM (the
 * controllers stop, in-flight reconciliations get {@link #RECONCILIATION_GRACE}, then the admin
 * endpoint and the client close). Exit codes: 2 for a bad flag, 1 when start-up fails (e.g. the
 * CRDs are not installed), 143 after SIGTERM.
 */
public final class OperatorMain {
    static final Duration RECONCILIATION_GRACE = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(OperatorMain.class);

    private final OperatorOptions options;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final OperatorHealth health;
    private KubernetesClient client;
    private OperatorMetrics metrics;
    private AdminServer admin;
    private Operator operator;

    private OperatorMain(OperatorOptions options) {
        this.options = options;
        this.health = new OperatorHealth(options.leaderElection());
    }

    public static void main(String[] args) {
        // logback has no appender for a wrong value: refuse it before the operator logs nothing.
        try {
            LogFormat.fromEnvironment();
        } catch (InvalidSetting e) {
            System.err.println("realmgate-operator: " + e.getMessage());
            System.exit(2);
            return;
        }
        OperatorOptions options;
        try {
            options =
                    OperatorCommandLine.parse(
                            Arrays.asList(args), System.getenv(), PodServiceAccount::fromPod);
        } catch (OperatorCommandLine.HelpRequested help) {
            System.out.println(OperatorCommandLine.USAGE);
            return;
        } catch (OperatorCommandLine.BadFlag bad) {
            System.err.println("realmgate-operator: " + bad.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        OperatorMain main = new OperatorMain(options);
        try {
            main.start();
        } catch (Exception e) {
            log.error("Cannot start the operator: {}", e.getMessage(), e);
            main.stop();
            System.exit(1);
        }
        main.awaitStop();
    }

    private void start() throws Exception {
        OperatorSettings settings = options.settings();
        log.info(
                "Realmgate operator {}: namespaces {}, operator namespace {}, leader election {}",
                OperatorSettings.VERSION,
                options.namespaces().isEmpty() ? "all" : options.namespaces(),
                settings.operatorNamespace(),
                options.leaderElection()
                        ? "on (Lease "
                                + options.leaderElectionNamespace()
                                + "/"
                                + OperatorOptions.LEASE_NAME
                                + ")"
                        : "off");
        log.info(
                "Secrets: {}",
                settings.secretGrant()
                        .map(
                                g ->
                                        "only in namespaces with a RoleBinding of ClusterRole "
                                                + g.clusterRole()
                                                + " to ServiceAccount "
                                                + g.serviceAccountNamespace()
                                                + "/"
                                                + g.serviceAccount())
                        .orElse("in every watched namespace"));
        client = OperatorClient.builder().build();
        log.info("Kubernetes API server {}", client.getMasterUrl());
        metrics = new OperatorMetrics();
        OperatorCa ca = new OperatorCa(client, settings, Clock.systemUTC());
        metrics.caExpiry(ca::caNotAfter);
        admin =
                AdminServer.start(
                        options.adminHost(), options.adminPort(), health, metrics::scrape);

        LeaderElectionConfiguration leaderElection =
                options.leaderElection() ? leaderElection() : null;
        operator =
                RealmgateOperator.create(
                        client,
                        settings,
                        ca,
                        options.namespaces(),
                        o -> {
                            o.withMetrics(metrics.josdk());
                            o.withReconciliationTerminationTimeout(RECONCILIATION_GRACE);
                            if (leaderElection != null) {
                                o.withLeaderElectionConfiguration(leaderElection);
                            }
                        });
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "operator-stop"));
        operator.start();
        health.started(operator.getRuntimeInfo());
        log.info("Operator started ({})", health.role());
    }

    private LeaderElectionConfiguration leaderElection() throws UnknownHostException {
        String identity = System.getenv().getOrDefault("POD_NAME", "");
        if (identity.isBlank()) {
            identity =
                    InetAddress.getLocalHost().getHostName()
                            + "-"
                            + UUID.randomUUID().toString().substring(0, 8);
        }
        LeaderCallbacks callbacks =
                new LeaderCallbacks(
                        () -> {
                            health.leading(true);
                            log.info("Leading: reconciling");
                        },
                        this::lostLeadership,
                        leader -> log.info("Leader is {}", leader));
        // JOSDK would call System.exit itself on losing the Lease, also while a SIGTERM shutdown is
        // in
        // progress; lostLeadership() exits only when the loss is not our own stop.
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                        OperatorOptions.LEASE_NAME)
                .withLeaseNamespace(options.leaderElectionNamespace())
                .withIdentity(identity)
                .withLeaderCallbacks(callbacks)
                .withExitOnStopLeading(false)
                .build();
    }

    private void lostLeadership() {
        health.leading(false);
        if (health.isStopping()) {
            return;
        }
        // Another instance may already reconcile: stop at once rather than act on a Lease we no
        // longer hold.
        log.error(
                "Lost the Lease {}/{}; exiting so a fresh start competes for it again",
                options.leaderElectionNamespace(),
                OperatorOptions.LEASE_NAME);
        new Thread(() -> System.exit(1), "lost-lease-exit").start();
    }

    private void stop() {
        if (health.stopping()) {
            return;
        }
        log.info("Stopping");
        try {
            if (operator != null) {
                operator.stop();
            }
        } catch (RuntimeException e) {
            log.warn("Operator stop: {}", e.getMessage());
        }
        if (admin != null) {
            admin.close();
        }
        if (client != null) {
            client.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        log.info("Stopped");
        stopped.countDown();
    }

    private void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
