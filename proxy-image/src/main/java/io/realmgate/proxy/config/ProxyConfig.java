package io.realmgate.proxy.config;

import io.realmgate.proxy.access.Cidr;
import io.realmgate.proxy.access.ClientPolicy;
import io.realmgate.proxy.access.TargetRule;
import java.time.Duration;
import java.util.List;

/**
 * The proxy's validated configuration. Built only by {@link ProxyConfigDocument#toConfig()}, which
 * is where every value is checked, so holding one means it is usable.
 *
 * @param listen          where clients connect
 * @param name            the proxy's name in {@code Via}
 * @param via             add {@code Via: 1.1 NAME} to forwarded requests and responses
 * @param allowConnect    target rules; empty means every target is refused
 * @param allowClients    client address blocks; loopback by default
 * @param connectTimeout  upstream connect timeout (504 after it)
 * @param maxHeaderBytes  request head size limit (431 above it)
 * @param maxRequestLine  request line length limit (414/400 above it)
 */
public record ProxyConfig(
        ListenAddress listen,
        String name,
        boolean via,
        List<TargetRule> allowConnect,
        List<Cidr> allowClients,
        Duration connectTimeout,
        int maxHeaderBytes,
        int maxRequestLine) {

    public static final ListenAddress DEFAULT_LISTEN = new ListenAddress("127.0.0.1", 3128);
    public static final String DEFAULT_NAME = "realmgate";
    public static final List<Cidr> DEFAULT_CLIENTS = ClientPolicy.LOOPBACK;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
    public static final int DEFAULT_MAX_REQUEST_LINE = 8 * 1024;

    public ProxyConfig {
        allowConnect = List.copyOf(allowConnect);
        allowClients = List.copyOf(allowClients);
    }
}
