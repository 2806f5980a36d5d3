package io.realmgate.operator.ops;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's metrics in Prometheus form: JOSDK's own (reconciliations, events, per controller;
 * not per resource, which would give one time series per custom resource), JVM and process metrics,
 * and {@value #CA_EXPIRY}: when the operator's CA certificate expires, in seconds since the epoch
 * (alert on {@code realmgate_ca_expiry_timestamp_seconds - time() < 30 * 86400}).
 */
public final class OperatorMetrics implements AutoCloseable {
    /** Micrometer name; Prometheus shows it as realmgate_ca_expiry_timestamp_seconds. */
    public static final String CA_EXPIRY = "realmgate.ca.expiry.timestamp";

    private static final Logger log = LoggerFactory.getLogger(OperatorMetrics.class);

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public OperatorMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    /** For JOSDK's ConfigurationServiceOverrider.withMetrics. */
    public Metrics josdk() {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }

    /**
     * The CA expiry gauge; NaN while the CA cannot be read (the API server is unreachable, say).
     */
    public void caExpiry(Supplier<Instant> caNotAfter) {
        Gauge.builder(
                        CA_EXPIRY,
                        caNotAfter,
                        source -> {
                            try {
                                return source.get().getEpochSecond();
                            } catch (RuntimeException e) {
                                log.warn("CA expiry unknown: {}", e.getMessage());
                                return Double.NaN;
                            }
                        })
                .baseUnit("seconds")
                .description("When the operator's CA certificate expires (seconds since the epoch)")
                .strongReference(true)
                .register(registry);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
