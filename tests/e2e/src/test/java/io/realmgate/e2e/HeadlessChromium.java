package io.realmgate.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium, driven through chromedriver's W3C WebDriver HTTP API with a few plain
 * JSON requests (no Selenium: five endpoints are all these tests use). Each instance has a fresh
 * profile directory, goes through the given proxy (loopback included, which Chromium otherwise
 * never proxies), and is stopped with its chromedriver, children included.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private final Process driver;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String session;

    /**
     * @param trustSpki base64 SHA-256 of the server key Chromium may accept without a trusted chain
     *     ({@code --ignore-certificate-errors-spki-list}): exactly one key is excused, every other
     *     certificate error still fails, unlike {@code --ignore-certificate-errors}
     */
    public static HeadlessChromium start(int proxyPort, String trustSpki, Path profile)
            throws Exception {
        return launch(proxyPort, trustSpki, profile);
    }

    /** Without a proxy and without TLS exceptions: plain http and ws on loopback. */
    public static HeadlessChromium startDirect(Path profile) throws Exception {
        return launch(0, null, profile);
    }

    private static HeadlessChromium launch(int proxyPort, String trustSpki, Path profile)
            throws Exception {
        Path chromium =
                ExternalTool.require(
                        "Chromium",
                        "apt-get install chromium chromium-driver",
                        "/usr/lib/chromium/chromium",
                        "chromium",
                        "chromium-browser");
        Path chromedriver =
                ExternalTool.require(
                        "chromedriver",
                        "apt-get install chromium-driver",
                        "chromedriver",
                        "/usr/lib/chromium/chromedriver");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process driver =
                new ProcessBuilder(
                                chromedriver.toString(),
                                "--port=" + port,
                                "--allowed-ips=127.0.0.1")
                        .redirectErrorStream(true)
                        .redirectOutput(profile.resolveSibling("chromedriver.log").toFile())
                        .start();
        try {
            return new HeadlessChromium(
                    driver, "http://127.0.0.1:" + port, chromium, proxyPort, trustSpki, profile);
        } catch (Exception e) {
            stop(driver);
            throw e;
        }
    }

    private HeadlessChromium(
            Process driver,
            String base,
            Path chromium,
            int proxyPort,
            String trustSpki,
            Path profile)
            throws Exception {
        this.driver = driver;
        this.base = base;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (call("GET", "/status", null).path("value").path("ready").asBoolean()) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline || !driver.isAlive()) {
                throw new IllegalStateException("chromedriver did not come up");
            }
            Thread.sleep(100);
        }
        Files.createDirectories(profile);
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--disable-features=NetworkTimeServiceQuerying",
                                "--disable-dev-shm-usage",
                                "--user-data-dir=" + profile));
        if (proxyPort > 0) {
            args.add("--proxy-server=http://127.0.0.1:" + proxyPort);
            args.add("--proxy-bypass-list=<-loopback>");
        }
        if (trustSpki != null) {
            args.add("--ignore-certificate-errors-spki-list=" + trustSpki);
        }
        ObjectNode options = JSON.createObjectNode().put("binary", chromium.toString());
        ArrayNode a = options.putArray("args");
        args.forEach(a::add);
        ObjectNode caps = JSON.createObjectNode();
        caps.putObject("capabilities")
                .putObject("alwaysMatch")
                .put("browserName", "chrome")
                .set("goog:chromeOptions", options);
        JsonNode created = call("POST", "/session", caps);
        this.session = created.path("value").path("sessionId").asText(null);
        if (session == null) {
            throw new IllegalStateException("chromedriver refused the session: " + created);
        }
    }

    public void open(String url) throws Exception {
        call("POST", "/session/" + session + "/url", JSON.createObjectNode().put("url", url));
    }

    /** Runs a script in the page ({@code return ...;}) and returns its JSON result. */
    public JsonNode eval(String script) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("script", script);
        body.putArray("args");
        return call("POST", "/session/" + session + "/execute/sync", body).path("value");
    }

    /** Types into the element matched by a CSS selector, like a user. */
    public void type(String css, String text) throws Exception {
        String id = find(css);
        ObjectNode body = JSON.createObjectNode().put("text", text);
        call("POST", "/session/" + session + "/element/" + id + "/value", body);
    }

    public void click(String css) throws Exception {
        call(
                "POST",
                "/session/" + session + "/element/" + find(css) + "/click",
                JSON.createObjectNode());
    }

    public String text(String css) throws Exception {
        return call("GET", "/session/" + session + "/element/" + find(css) + "/text", null)
                .path("value")
                .asText();
    }

    private String find(String css) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("using", "css selector").put("value", css);
        JsonNode v = call("POST", "/session/" + session + "/element", body).path("value");
        if (!v.has(ELEMENT)) {
            throw new IllegalStateException("no element " + css + ": " + v);
        }
        return v.path(ELEMENT).asText();
    }

    private JsonNode call(String method, String path, JsonNode body) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(
                            method,
                            HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(r.body());
        if (r.statusCode() >= 400) {
            throw new IllegalStateException(
                    "WebDriver " + method + " " + path + " -> " + r.statusCode() + ": " + json);
        }
        return json;
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (Exception e) {
            // the browser is stopped below either way
        } finally {
            stop(driver);
        }
    }

    private static void stop(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
