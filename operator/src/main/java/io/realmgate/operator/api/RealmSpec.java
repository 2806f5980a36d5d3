package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

@ValidationRule(value = "self.webSocket.enabled || self.secureWebSocket.enabled",
        message = "at least one of webSocket and secureWebSocket must be enabled")
@ValidationRule(value = "!self.webSocket.enabled || !self.secureWebSocket.enabled || self.webSocket.port != self.secureWebSocket.port",
        message = "webSocket.port and secureWebSocket.port must differ")
public class RealmSpec {
    @JsonPropertyDescription("Realm pods.")
    @Default("1")
    @Min(0)
    @Max(100)
    public Integer replicas = 1;

    @JsonPropertyDescription("Plain ws/http listener.")
    @Default("{}")
    public WebSocketListener webSocket = new WebSocketListener();

    @JsonPropertyDescription("TLS wss/https listener, with a certificate the operator issues unless tls.secretName names one.")
    @Default("{}")
    public SecureWebSocketListener secureWebSocket = new SecureWebSocketListener();

    @JsonPropertyDescription("Certificate of the wss listener.")
    public RealmTls tls;

    @JsonPropertyDescription("Who may connect besides the ForwardProxies that reference this realm. Absent: pods of this namespace.")
    public Clients clients;

    @JsonPropertyDescription("Container resources of the realm pods.")
    public ResourceRequirements resources;
}
