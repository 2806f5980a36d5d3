package io.realmgate.proxy.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.realmgate.proxy.access.Cidr;
import io.realmgate.proxy.access.TargetRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The YAML file format of docs/proxy-config.md, field for field. Everything is optional here;
 * {@link #toConfig()} applies defaults and validates, naming the key that is wrong. The operator
 * writes this same type, so what it renders is what the proxy reads.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"listen", "name", "via", "allowConnect", "allowClients", "timeouts", "limits"})
public final class ProxyConfigDocument {
    @JsonProperty public String listen;
    @JsonProperty public String name;
    @JsonProperty public Boolean via;
    @JsonProperty public List<String> allowConnect;
    @JsonProperty public List<String> allowClients;
    @JsonProperty public Timeouts timeouts;
    @JsonProperty public Limits limits;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Timeouts {
        /** Upstream connect timeout, e.g. {@code 10s}, {@code 500ms}. */
        @JsonProperty public String connect;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Limits {
        @JsonProperty public Integer maxHeaderBytes;
        @JsonProperty public Integer maxRequestLine;
    }

    public ProxyConfig toConfig() throws ConfigException {
        ListenAddress listenAddress = ProxyConfig.DEFAULT_LISTEN;
        if (listen != null) {
            try {
                listenAddress = ListenAddress.parse(listen);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("listen: " + e.getMessage());
            }
        }
        String proxyName = name == null ? ProxyConfig.DEFAULT_NAME : name;
        if (!proxyName.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new ConfigException("name: '" + proxyName + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        List<TargetRule> rules = new ArrayList<>();
        if (allowConnect != null) {
            for (int i = 0; i < allowConnect.size(); i++) {
                String r = allowConnect.get(i);
                if (r == null) {
                    throw new ConfigException("allowConnect[" + i + "]: empty rule");
                }
                try {
                    rules.add(TargetRule.parse(r));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("allowConnect[" + i + "]: " + e.getMessage());
                }
            }
        }
        List<Cidr> clients = ProxyConfig.DEFAULT_CLIENTS;
        if (allowClients != null) {
            clients = new ArrayList<>();
            for (int i = 0; i < allowClients.size(); i++) {
                String c = allowClients.get(i);
                if (c == null) {
                    throw new ConfigException("allowClients[" + i + "]: empty entry");
                }
                try {
                    clients.add(Cidr.parse(c));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("allowClients[" + i + "]: " + e.getMessage());
                }
            }
        }
        Duration connectTimeout = ProxyConfig.DEFAULT_CONNECT_TIMEOUT;
        if (timeouts != null && timeouts.connect != null) {
            connectTimeout = Durations.parse("timeouts.connect", timeouts.connect);
        }
        int maxHeader = ProxyConfig.DEFAULT_MAX_HEADER_BYTES;
        int maxLine = ProxyConfig.DEFAULT_MAX_REQUEST_LINE;
        if (limits != null) {
            if (limits.maxHeaderBytes != null) {
                maxHeader = range("limits.maxHeaderBytes", limits.maxHeaderBytes, 1024, 1024 * 1024);
            }
            if (limits.maxRequestLine != null) {
                maxLine = range("limits.maxRequestLine", limits.maxRequestLine, 256, 64 * 1024);
            }
        }
        return new ProxyConfig(listenAddress, proxyName, Boolean.TRUE.equals(via), rules, clients,
                connectTimeout, maxHeader, maxLine);
    }

    private static int range(String key, int value, int min, int max) throws ConfigException {
        if (value < min || value > max) {
            throw new ConfigException(key + ": " + value + " is outside " + min + "-" + max);
        }
        return value;
    }
}
