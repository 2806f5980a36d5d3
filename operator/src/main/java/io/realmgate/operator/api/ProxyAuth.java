package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

public class ProxyAuth {
    @JsonPropertyDescription("Secret whose key holds 'user:bcrypt-hash' lines (htpasswd -B).")
    @Required
    public SecretKeyRef basicSecretRef;
}
