package io.realmgate.realm.http;

import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.hub.Hub;
import io.realmgate.realm.ops.RealmMetrics;
import java.util.function.BooleanSupplier;

/** What every connection's handlers share: the hub, the limits, the metrics, the static files. */
public record RealmContext(
        RealmConfig config,
        Hub hub,
        RealmMetrics metrics,
        StaticContent content,
        BooleanSupplier ready,
        ConnectionLimits limits,
        FallbackLimits fallback) {
    public RealmContext(
            RealmConfig config,
            Hub hub,
            RealmMetrics metrics,
            StaticContent content,
            BooleanSupplier ready) {
        this(
                config,
                hub,
                metrics,
                content,
                ready,
                new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerClient()));
    }

    public RealmContext(
            RealmConfig config,
            Hub hub,
            RealmMetrics metrics,
            StaticContent content,
            BooleanSupplier ready,
            ConnectionLimits limits) {
        this(config, hub, metrics, content, ready, limits, new FallbackLimits(config));
    }
}
