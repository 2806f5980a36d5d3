package io.realmgate.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ServiceAccount the operator's pod runs as, from the token Kubernetes mounts into it: a JWT
 * whose subject is {@code system:serviceaccount:<namespace>:<name>}. The default of {@code
 * --service-account}.
 */
final class PodServiceAccount {
    static final Path TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
    private static final Pattern SUBJECT = Pattern.compile("system:serviceaccount:([^:]+):([^:]+)");

    private PodServiceAccount() {}

    /**
     * The name of the pod's ServiceAccount; empty outside a pod (no token) or when the token says
     * none.
     */
    static Optional<String> fromPod() {
        try {
            return Files.isReadable(TOKEN) ? name(Files.readString(TOKEN)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The ServiceAccount name in a token's subject; empty when it is none. The signature is not
     * checked.
     */
    static Optional<String> name(String token) {
        String[] parts = token.strip().split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            JsonNode claims =
                    new ObjectMapper()
                            .readTree(
                                    new String(
                                            Base64.getUrlDecoder().decode(parts[1]),
                                            StandardCharsets.UTF_8));
            Matcher subject = SUBJECT.matcher(claims.path("sub").asText(""));
            return subject.matches() ? Optional.of(subject.group(2)) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
