package io.realmgate.proxy.http;

import io.realmgate.proxy.access.AuthThrottle;
import io.realmgate.proxy.access.ClientPolicy;
import io.realmgate.proxy.access.ProxyUsers;
import io.realmgate.proxy.access.TargetGate;
import io.realmgate.proxy.config.ProxyConfig;
import io.realmgate.proxy.ops.AccessLog;
import io.realmgate.proxy.ops.ProxyMetrics;
import io.realmgate.proxy.tunnel.RelayMode;
import io.realmgate.proxy.tunnel.UpstreamDialer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * What the client connections' handlers share: the policy gates, the dialer, the HTTP settings, the
 * metrics and the access log. Immutable; a config reload builds a new one, which requests arriving
 * from then on use.
 */
public record ProxyFrontendSettings(
        ClientPolicy clients,
        TargetGate targets,
        UpstreamDialer dialer,
        ViaHeader via,
        int maxRequestLine,
        int maxHeaderBytes,
        Duration headerTimeout,
        Duration idleTimeout,
        Optional<ProxyUsers> users,
        AuthThrottle authThrottle,
        Executor workers,
        ProxyMetrics metrics,
        RelayMode relay,
        AccessLog accessLog) {

    public static ProxyFrontendSettings of(
            ProxyConfig config,
            TargetGate gate,
            UpstreamDialer dialer,
            Optional<ProxyUsers> users,
            AuthThrottle throttle,
            Executor workers,
            ProxyMetrics metrics,
            RelayMode relay,
            AccessLog accessLog) {
        return new ProxyFrontendSettings(
                new ClientPolicy(config.allowClients()),
                gate,
                dialer,
                config.via() ? ViaHeader.enabled(config.name()) : ViaHeader.DISABLED,
                config.limits().maxRequestLine(),
                config.limits().maxHeaderBytes(),
                config.timeouts().header(),
                config.timeouts().idle(),
                users,
                throttle,
                workers,
                metrics,
                relay,
                accessLog);
    }
}
