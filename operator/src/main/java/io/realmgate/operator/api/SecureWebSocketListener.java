package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The realm's tls wss/https listener. */
public class SecureWebSocketListener {
    public static final int DEFAULT_PORT = 9443;

    @JsonPropertyDescription("Whether the listener is on.")
    @Default("true")
    public Boolean enabled = true;

    @JsonPropertyDescription("Container and Service port.")
    @Default("9443")
    @Min(1)
    @Max(65535)
    public Integer port = DEFAULT_PORT;

    public boolean on() {
        return !Boolean.FALSE.equals(enabled);
    }

    public int port() {
        return port == null ? DEFAULT_PORT : port;
    }
}
