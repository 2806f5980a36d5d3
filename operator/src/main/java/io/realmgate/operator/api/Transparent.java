package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

public class Transparent {
    @JsonPropertyDescription("Port of the transparent (SNI) listener, container and Service.")
    @Required
    @Min(1)
    @Max(65535)
    public Integer port;

    @JsonPropertyDescription("Port dialled on the SNI host. Default: port.")
    @Min(1)
    @Max(65535)
    public Integer targetPort;
}
