package io.realmgate.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.realmgate.proxy.ProxyMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class CommandLineTest {
    @TempDir Path dir;

    @Test
    void referenceScenarioFlags() throws Exception {
        ProxyConfig c =
                CommandLine.parse(
                        "--listen",
                        "127.0.0.1:3128",
                        "--allow-connect",
                        "127.0.0.1:9000,127.0.0.1:9443",
                        "--allow-client",
                        "127.0.0.1/32",
                        "--via");
        assertThat(c.listen()).isEqualTo(new ListenAddress("127.0.0.1", 3128));
        assertThat(c.allowConnect())
                .extracting(Object::toString)
                .containsExactly("127.0.0.1:9000", "127.0.0.1:9443");
        assertThat(c.allowClients()).extracting(Object::toString).containsExactly("127.0.0.1/32");
        assertThat(c.via()).isTrue();
        assertThat(c.name()).isEqualTo("realmgate");
    }

    @Test
    void defaultsAreSafe() throws Exception {
        ProxyConfig c = CommandLine.parse();
        assertThat(c.listen()).isEqualTo(ProxyConfig.DEFAULT_LISTEN);
        assertThat(c.allowConnect()).as("nothing allowed").isEmpty();
        assertThat(c.allowClients())
                .extracting(Object::toString)
                .containsExactly("127.0.0.1/32", "::1/128");
        assertThat(c.via()).isFalse();
    }

    @Test
    void configFileWithFlagsOverridingIt() throws Exception {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "listen: 0.0.0.0:3128",
                        "name: edge-1",
                        "via: true",
                        "allowConnect:",
                        "  - 10.0.0.0/8:9443",
                        "  - realm.internal:9000-9001",
                        "allowClients: [10.42.0.0/16]",
                        "timeouts:",
                        "  connect: 2500ms",
                        "  idle: 1D",
                        "  drain: PT45S",
                        "limits:",
                        "  maxHeaderBytes: 32768",
                        ""));
        ProxyConfig c = CommandLine.parse("--config", file.toString(), "--listen", "127.0.0.1:0");
        assertThat(c.listen().port()).isZero();
        assertThat(c.name()).isEqualTo("edge-1");
        assertThat(c.allowConnect()).hasSize(2);
        assertThat(c.timeouts().connect()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.timeouts().idle()).isEqualTo(Duration.ofDays(1));
        assertThat(c.timeouts().drain()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.limits().maxHeaderBytes()).isEqualTo(32768);
    }

    @Test
    void writtenDocumentsReadBackTheSame() throws Exception {
        ProxyConfigDocument doc = new ProxyConfigDocument();
        doc.listen = "0.0.0.0:3128";
        doc.via = true;
        doc.allowConnect = List.of("prices.realms.svc.cluster.local:9443", "10.0.0.0/8:443");
        doc.allowClients = List.of("10.42.0.0/16");
        String yaml = ConfigFiles.write(doc);
        ProxyConfig back = ConfigFiles.parse(yaml, "rendered").toConfig();
        assertThat(back.allowConnect())
                .extracting(Object::toString)
                .containsExactlyElementsOf(doc.allowConnect);
        assertThat(back.via()).isTrue();
    }

    @Test
    void badInputNamesTheFlagOrKey() throws Exception {
        assertThatThrownBy(() -> CommandLine.parse("--bogus"))
                .hasMessage("unknown flag '--bogus' (try --help)");
        assertThatThrownBy(() -> CommandLine.parse("--listen"))
                .hasMessage("--listen needs a value (try --help)");
        assertThatThrownBy(() -> CommandLine.parse("--listen", "nowhere"))
                .hasMessageStartingWith("--listen");
        assertThatThrownBy(() -> CommandLine.parse("--allow-connect", "9000,abc"))
                .hasMessageContaining("allowConnect[1]")
                .hasMessageContaining("abc");
        assertThatThrownBy(() -> CommandLine.parse("--allow-client", "300.1.1.1/8"))
                .hasMessageContaining("allow-client");
        assertThatThrownBy(() -> CommandLine.parse("--via=yes")).hasMessageContaining("--via");
        assertThatThrownBy(
                        () -> CommandLine.parse("--config", dir.resolve("missing.yaml").toString()))
                .hasMessageContaining("does not exist");

        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "allowConect:\n  - 443\n");
        assertThatThrownBy(() -> CommandLine.parse("--config", typo.toString()))
                .hasMessageContaining("unknown key 'allowConect'");
        Path wrongType = dir.resolve("type.yaml");
        Files.writeString(wrongType, "via: maybe\n");
        assertThatThrownBy(() -> CommandLine.parse("--config", wrongType.toString()))
                .hasMessageContaining("via");
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "allowConnect: [443\n");
        assertThatThrownBy(() -> CommandLine.parse("--config", broken.toString()))
                .hasMessageContaining("not valid YAML");
        Path badTimeout = dir.resolve("timeout.yaml");
        Files.writeString(badTimeout, "timeouts:\n  connect: soon\n");
        assertThatThrownBy(() -> CommandLine.parse("--config", badTimeout.toString()))
                .hasMessageContaining("timeouts.connect");
    }

    @Test
    @Timeout(30)
    void theProcessExitsWith2AndOneLineOnBadFlags() throws Exception {
        Process p =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                ProxyMain.class.getName(),
                                "--allow-connect",
                                "70000")
                        .redirectErrorStream(true)
                        .start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out.strip()).doesNotContain("\n").contains("allowConnect[0]").contains("70000");
    }
}
