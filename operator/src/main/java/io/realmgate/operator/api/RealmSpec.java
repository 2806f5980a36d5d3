package io.realmgate.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;

@ValidationRule(
        value = "self.webSocket.enabled || self.secureWebSocket.enabled",
        message = "at least one of webSocket and secureWebSocket must be enabled")
@ValidationRule(
        value =
                "!self.webSocket.enabled || !self.secureWebSocket.enabled || self.webSocket.port != self.secureWebSocket.port",
        message = "webSocket.port and secureWebSocket.port must differ")
// Several memory realms behind one Service would be unrelated hubs (docs/decisions.md). fieldPath
// makes the API server name spec.replicas; ratcheting lets a stored Realm with more replicas be
// updated as long as its spec is not changed.
@ValidationRule(
        value = "self.engine.type != 'memory' || self.replicas <= 1",
        fieldPath = ".replicas",
        message =
                "spec.replicas must be 0 or 1 with engine memory: a memory realm is one process; "
                        + "several replicas would be unrelated realms")
// spec.retention against spec.limits and spec.engine: the realm's own rules (RealmConfig.Builder),
// refused here with the field named rather than by a realm pod that will not start. An absent
// retention.bytes is sized by the operator, at least twice the largest message and below
// limits.queueBytes, which is possible only while limits.queueBytes exceeds twice that message.
@ValidationRule(
        value =
                "!has(self.retention) || !has(self.retention.bytes) || !"
                        + RealmSpec.RETAIN_BYTES_VALID
                        + " || "
                        + RealmSpec.RETAIN_BYTES
                        + " >= 2 * "
                        + RealmSpec.MAX_MESSAGE_OR_DEFAULT,
        fieldPath = ".retention.bytes",
        message =
                "spec.retention.bytes must be at least twice spec.limits.maxMessage (default 64KiB)"
                        + " so that the newest event always fits")
@ValidationRule(
        value =
                "!has(self.limits) || !has(self.limits.queueBytes) || !"
                        + RealmSpec.QUEUE_BYTES_VALID
                        + " || "
                        + RealmSpec.QUEUE_BYTES
                        + " > ((has(self.retention) && has(self.retention.bytes) && "
                        + RealmSpec.RETAIN_BYTES_VALID
                        + ") ? "
                        + RealmSpec.RETAIN_BYTES
                        + " : 2 * "
                        + RealmSpec.MAX_MESSAGE_OR_DEFAULT
                        + ")",
        fieldPath = ".limits.queueBytes",
        message =
                "spec.limits.queueBytes must be larger than spec.retention.bytes (absent: twice"
                        + " spec.limits.maxMessage, default 64KiB) so that a full replay fits")
@ValidationRule(
        value =
                "!has(self.limits) || !has(self.limits.queueEvents) || self.limits.queueEvents >"
                        + " ((has(self.retention) && has(self.retention.events)) ? self.retention.events : 1000)",
        fieldPath = ".limits.queueEvents",
        message =
                "spec.limits.queueEvents must be larger than spec.retention.events (default 1000)"
                        + " so that a full replay fits")
@ValidationRule(
        value = "!has(self.retention) || !has(self.retention.age) || self.engine.type == 'redis'",
        fieldPath = ".retention.age",
        message =
                "spec.retention.age is only for spec.engine.type redis: a memory realm retains by"
                        + " events and bytes only")
// Exposure is for wss only: a plain listener outside the cluster would carry messages in clear.
@ValidationRule(
        value = "!has(self.expose) || self.secureWebSocket.enabled",
        fieldPath = ".expose",
        message =
                "spec.expose needs spec.secureWebSocket.enabled: only the wss listener is exposed"
                        + " outside the cluster")
public class RealmSpec {
    /*
     * The rules below compute a size only once its pattern holds: a malformed size is refused by
     * its pattern alone, not also by a rule that cannot convert it.
     */
    static final String RETAIN_BYTES_VALID =
            "self.retention.bytes.matches('" + RealmRetentionSpec.SIZE_PATTERN + "')";

    static final String QUEUE_BYTES_VALID =
            "self.limits.queueBytes.matches('" + RealmRetentionSpec.SIZE_PATTERN + "')";

    /** {@code spec.retention.bytes} in bytes, in CEL (the grammar of RealmRetentionSpec). */
    static final String RETAIN_BYTES =
            "(self.retention.bytes.endsWith('GiB') ? int(self.retention.bytes.substring(0, self.retention.bytes.size() - 3)) * 1073741824"
                    + " : self.retention.bytes.endsWith('MiB') ? int(self.retention.bytes.substring(0, self.retention.bytes.size() - 3)) * 1048576"
                    + " : self.retention.bytes.endsWith('KiB') ? int(self.retention.bytes.substring(0, self.retention.bytes.size() - 3)) * 1024"
                    + " : self.retention.bytes.endsWith('B') ? int(self.retention.bytes.substring(0, self.retention.bytes.size() - 1))"
                    + " : int(self.retention.bytes))";

    /** {@code spec.limits.queueBytes} in bytes, in CEL. */
    static final String QUEUE_BYTES =
            "(self.limits.queueBytes.endsWith('GiB') ? int(self.limits.queueBytes.substring(0, self.limits.queueBytes.size() - 3)) * 1073741824"
                    + " : self.limits.queueBytes.endsWith('MiB') ? int(self.limits.queueBytes.substring(0, self.limits.queueBytes.size() - 3)) * 1048576"
                    + " : self.limits.queueBytes.endsWith('KiB') ? int(self.limits.queueBytes.substring(0, self.limits.queueBytes.size() - 3)) * 1024"
                    + " : self.limits.queueBytes.endsWith('B') ? int(self.limits.queueBytes.substring(0, self.limits.queueBytes.size() - 1))"
                    + " : int(self.limits.queueBytes))";

    /** {@code spec.limits.maxMessage} in bytes, in CEL, or the realm's default 64KiB. */
    static final String MAX_MESSAGE_OR_DEFAULT =
            "((has(self.limits) && has(self.limits.maxMessage) && self.limits.maxMessage.matches('"
                    + RealmRetentionSpec.SIZE_PATTERN
                    + "')) ? "
                    + "(self.limits.maxMessage.endsWith('GiB') ? int(self.limits.maxMessage.substring(0, self.limits.maxMessage.size() - 3)) * 1073741824"
                    + " : self.limits.maxMessage.endsWith('MiB') ? int(self.limits.maxMessage.substring(0, self.limits.maxMessage.size() - 3)) * 1048576"
                    + " : self.limits.maxMessage.endsWith('KiB') ? int(self.limits.maxMessage.substring(0, self.limits.maxMessage.size() - 3)) * 1024"
                    + " : self.limits.maxMessage.endsWith('B') ? int(self.limits.maxMessage.substring(0, self.limits.maxMessage.size() - 1))"
                    + " : int(self.limits.maxMessage))"
                    + " : 65536)";

    /**
     * {@code http(s)://host[:port]} as the realm parses it (java.net.URI, server-based authority):
     * a DNS name whose last label starts with a letter, or a dotted IPv4 address; port 1-65535.
     * Anything the API server accepts here, the realm accepts at start. No IPv6 literal: checking
     * one fully here would take a CEL rule over the API server's cost budget, and a page served
     * from one is rare; the realm's own flag still takes it.
     */
    public static final String ORIGIN_PATTERN =
            "^https?://("
                    + "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
                    + "|([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)"
                    + "(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?$";

    @JsonPropertyDescription(
            "Realm pods: 0 or 1 with the memory engine (several would be unrelated realms); up to 100 "
                    + "with the redis engine, which they share.")
    @Default("1")
    @Min(0)
    @Max(100)
    @SpecReplicas
    public Integer replicas = 1;

    @JsonPropertyDescription(
            "Where the realm keeps its channels. Absent: memory, in the realm process.")
    @Default("{}")
    public RealmEngine engine = new RealmEngine();

    @JsonPropertyDescription("Plain ws/http listener.")
    @Default("{}")
    public WebSocketListener webSocket = new WebSocketListener();

    @JsonPropertyDescription(
            "TLS wss/https listener, with a certificate the operator issues unless tls.secretName names one.")
    @Default("{}")
    public SecureWebSocketListener secureWebSocket = new SecureWebSocketListener();

    @JsonPropertyDescription("Certificate of the wss listener.")
    public RealmTls tls;

    @JsonPropertyDescription(
            "Who may connect besides the ForwardProxies that reference this realm. Absent: pods of this namespace.")
    public Clients clients;

    @JsonPropertyDescription(
            "Clients outside the cluster: the wss listener behind a NodePort or LoadBalancer Service, "
                    + "or a Gateway API TLSRoute (TLS passthrough). Absent: reachable inside the cluster only.")
    public RealmExpose expose;

    @JsonPropertyDescription("Container resources of the realm pods.")
    public ResourceRequirements resources;

    @JsonPropertyDescription(
            "Connection, header, replay, stream, poll, message, channel and slow-consumer queue limits of"
                    + " each realm pod. Absent fields: the realm's defaults, or (message, channels, queues)"
                    + " sized for the pod's memory limit.")
    public RealmLimits limits;

    @JsonPropertyDescription(
            "What the realm keeps per channel for replay: events, bytes and (redis engine) age."
                    + " Absent fields: sized for the pod's memory limit (docs/operator.md, \"Realm memory\").")
    public RealmRetentionSpec retention;

    @JsonPropertyDescription(
            "Browser origins (scheme://host[:port], http or https, such as https://app.example.com "
                    + "or http://localhost:8080) whose pages may use the realm: WebSocket, event stream, long-poll and "
                    + "publish from a page served by another origin. The realm's own origin is always allowed; a request "
                    + "with any other Origin is refused (403); clients that send no Origin (not browsers) are not concerned. "
                    + "Absent: same-origin pages only.")
    @Size(max = 64)
    // Origins as browsers send them: no path, no user, no wildcard (see docs/decisions.md).
    public List<@Size(max = 300) @Pattern(ORIGIN_PATTERN) String> allowedOrigins;

    @JsonPropertyDescription(
            "What the realm pods get besides what the operator gives them: placement (nodeSelector,"
                    + " tolerations, affinity, topologySpreadConstraints, priorityClassName), labels,"
                    + " annotations, image and imagePullSecrets.")
    public PodTemplate template;
}
