package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

public class SecretKeyRef {
    @JsonPropertyDescription("Secret in this namespace.")
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    public String name;

    @JsonPropertyDescription("Key in the Secret.")
    @Default("users")
    @Pattern("^[-._a-zA-Z0-9]+$")
    public String key = "users";
}
