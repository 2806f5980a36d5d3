package io.realmgate.kube.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the Argo CD health checks of docs/gitops.md the way Argo CD does: the script gets the
 * resource as the global table {@code obj} and returns {@code {status=..., message=...}}. The
 * scripts are read from the doc's argocd-cm block (what users copy), the resource is turned from
 * JSON into a Lua table constructor here, and Debian's Lua interpreter runs it as a real process.
 */
final class ArgoCdHealth {
    static final String REALM_KEY = "resource.customizations.health.realmgate.io_Realm";
    static final String FORWARD_PROXY_KEY =
            "resource.customizations.health.realmgate.io_ForwardProxy";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern YAML_BLOCK = Pattern.compile("(?s)```yaml\\n(.*?)```");

    /** A health check's answer. */
    record Health(String status, String message) {}

    private ArgoCdHealth() {}

    /** The argocd-cm ConfigMap of docs/gitops.md: its data holds the two health scripts. */
    static Map<String, String> scriptsFromDoc() {
        String doc;
        try {
            doc = Files.readString(Repo.gitopsDoc());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher block = YAML_BLOCK.matcher(doc);
        while (block.find()) {
            if (block.group(1).contains("name: argocd-cm")) {
                ConfigMap cm = Manifests.JSON.unmarshal(block.group(1), ConfigMap.class);
                return cm.getData();
            }
        }
        throw new AssertionError("no argocd-cm ConfigMap in a yaml block of " + Repo.gitopsDoc());
    }

    static String script(String kind) {
        String key = "Realm".equals(kind) ? REALM_KEY : FORWARD_PROXY_KEY;
        String script = scriptsFromDoc().get(key);
        if (script == null) {
            throw new AssertionError("docs/gitops.md has no " + key);
        }
        return script;
    }

    static Health evaluate(String kind, String resourceJson) {
        try {
            return evaluate(script(kind), JSON.readTree(resourceJson));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Health evaluate(String script, JsonNode resource) {
        String program =
                "obj = "
                        + lua(resource)
                        + "\n"
                        + "local function health()\n"
                        + script
                        + "\nend\n"
                        + "local hs = health()\n"
                        + "io.write(tostring(hs.status), \"\\n\", tostring(hs.message))\n";
        String output = run(program);
        int newline = output.indexOf('\n');
        if (newline < 0) {
            throw new AssertionError("the health check printed no status and message:\n" + output);
        }
        return new Health(output.substring(0, newline), output.substring(newline + 1));
    }

    /** A Lua table constructor (or scalar) with the same content as the JSON value. */
    static String lua(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "nil";
        }
        if (node.isObject()) {
            StringBuilder out = new StringBuilder("{");
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                out.append('[')
                        .append(luaString(field.getKey()))
                        .append("]=")
                        .append(lua(field.getValue()))
                        .append(',');
            }
            return out.append('}').toString();
        }
        if (node.isArray()) {
            StringBuilder out = new StringBuilder("{");
            node.forEach(item -> out.append(lua(item)).append(','));
            return out.append('}').toString();
        }
        if (node.isTextual()) {
            return luaString(node.asText());
        }
        if (node.isIntegralNumber() || node.isBoolean()) {
            return node.asText();
        }
        if (node.isNumber()) {
            return Double.toString(node.asDouble());
        }
        throw new IllegalArgumentException("no Lua form for " + node);
    }

    /** A double-quoted Lua string; everything but printable ASCII as a decimal escape. */
    private static String luaString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append((char) c);
            } else {
                out.append('\\').append(String.format("%03d", c));
            }
        }
        return out.append('"').toString();
    }

    private static String run(String program) {
        Path lua = interpreter();
        try {
            Path file =
                    Files.writeString(
                            Files.createTempFile(Repo.scratch("lua"), "health-", ".lua"), program);
            Process p =
                    new ProcessBuilder(lua.toString(), file.toString())
                            .redirectErrorStream(true)
                            .start();
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader =
                    new Thread(
                            () -> {
                                try (InputStream in = p.getInputStream()) {
                                    in.transferTo(out);
                                } catch (IOException ignored) {
                                    // the process is gone; keep what was read
                                }
                            },
                            "lua-output");
            reader.start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("lua did not finish in 20 s");
            }
            reader.join(5000);
            String output = out.toString(StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(
                        "lua exited " + p.exitValue() + ":\n" + output + "\nprogram: " + file);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Debian's lua5.4. Missing on a developer's machine: the test is skipped, saying what to
     * install; missing in CI ({@code CI=true}): it fails, because .ci/run installs it.
     */
    static Path interpreter() {
        for (String name : List.of("lua5.4", "lua")) {
            for (String dir :
                    System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        String message =
                "no Lua interpreter (lua5.4) on PATH; install it with: apt-get install lua5.4";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI=true: .ci/run should have installed it)");
        }
        Assumptions.abort(message);
        return null;
    }
}
