package io.realmgate.proxy.http;

import io.realmgate.proxy.access.ClientPolicy;
import io.realmgate.proxy.access.TargetGate;
import io.realmgate.proxy.config.ProxyConfig;
import io.realmgate.proxy.tunnel.UpstreamDialer;

/**
 * What every client connection's handlers share: the policy gates, the dialer and the HTTP
 * settings. Immutable; a config reload will swap the whole object.
 */
public record ProxyFrontendSettings(
        ClientPolicy clients,
        TargetGate targets,
        UpstreamDialer dialer,
        ViaHeader via,
        int maxRequestLine,
        int maxHeaderBytes) {

    public static ProxyFrontendSettings of(ProxyConfig config, TargetGate gate, UpstreamDialer dialer) {
        return new ProxyFrontendSettings(new ClientPolicy(config.allowClients()), gate, dialer,
                config.via() ? ViaHeader.enabled(config.name()) : ViaHeader.DISABLED,
                config.maxRequestLine(), config.maxHeaderBytes());
    }
}
