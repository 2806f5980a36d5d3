package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The realm's plain ws/http listener. */
public class WebSocketListener {
    public static final int DEFAULT_PORT = 9000;

    @JsonPropertyDescription("Whether the listener is on.")
    @Default("true")
    public Boolean enabled = true;

    @JsonPropertyDescription("Container and Service port.")
    @Default("9000")
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
