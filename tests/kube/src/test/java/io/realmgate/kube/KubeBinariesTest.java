package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the binaries come from, decided without starting anything. */
class KubeBinariesTest {

    private static final String SUFFIX = "-linux-amd64";

    @TempDir Path tmp;

    private Properties props(Path dir) throws IOException {
        Path script =
                Files.writeString(
                        tmp.resolve("provision.sh"),
                        "#!/bin/sh\nK8S_VERSION=1.34.4\nETCD_VERSION=3.6.4\n");
        Properties p = new Properties();
        p.setProperty(KubeBinaries.SCRIPT_PROPERTY, script.toString());
        if (dir != null) {
            p.setProperty(KubeBinaries.DIR_PROPERTY, dir.toString());
        }
        return p;
    }

    private static void provision(Path binDir) throws IOException {
        Files.createDirectories(binDir);
        for (String name : KubeBinaries.BINARIES) {
            Path bin = Files.writeString(binDir.resolve(name), "#!/bin/sh\n");
            assertThat(bin.toFile().setExecutable(true)).isTrue();
        }
    }

    @Test
    void theRealProvisionScriptPinsAVersion() {
        Properties p = new Properties();
        p.setProperty(
                KubeBinaries.SCRIPT_PROPERTY,
                System.getProperty(KubeBinaries.SCRIPT_PROPERTY, "provision.sh"));
        assertThat(KubeBinaries.pinnedVersion(p)).matches("1\\.[0-9]{2}\\.[0-9]+");
    }

    @Test
    void provisionedBinariesAreUsedOfflineWithTheExactVersion() throws IOException {
        Path dir = tmp.resolve("cache");
        provision(dir.resolve("k8s/1.34.4" + SUFFIX));
        KubeBinaries b = KubeBinaries.resolve(props(dir), Map.of("CI", "true"), SUFFIX);
        assertThat(b.mode()).isEqualTo(KubeBinaries.Mode.PROVISIONED);
        assertThat(b.apiServerVersion()).isEqualTo("1.34.4");
        assertThat(b.binDir()).isEqualTo(dir.resolve("k8s/1.34.4" + SUFFIX).toAbsolutePath());
    }

    @Test
    void theEnvironmentVariableNamesTheDirectoryWhenNoPropertyDoes() throws IOException {
        Path dir = tmp.resolve("from-env");
        provision(dir.resolve("k8s/1.34.4" + SUFFIX));
        Properties p = props(null);
        p.setProperty(KubeBinaries.DIR_PROPERTY, " ");
        KubeBinaries b =
                KubeBinaries.resolve(p, Map.of(KubeBinaries.DIR_ENV, dir.toString()), SUFFIX);
        assertThat(b.mode()).isEqualTo(KubeBinaries.Mode.PROVISIONED);
        assertThat(b.cacheDir()).isEqualTo(dir.toAbsolutePath());
    }

    @Test
    void incompleteBinariesInCiFailNamingTheProvisionScript() throws IOException {
        Path dir = tmp.resolve("partial");
        Path binDir = dir.resolve("k8s/1.34.4" + SUFFIX);
        provision(binDir);
        Files.delete(binDir.resolve("etcd"));
        assertThatThrownBy(() -> KubeBinaries.resolve(props(dir), Map.of("CI", "true"), SUFFIX))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tests/kube/provision.sh")
                .hasMessageContaining(binDir.toAbsolutePath().toString())
                .hasMessageContaining("CI=true");
    }

    @Test
    void absentBinariesOutsideCiFallBackToTheMinorVersionDownload() throws IOException {
        KubeBinaries b = KubeBinaries.resolve(props(tmp.resolve("empty")), Map.of(), SUFFIX);
        assertThat(b.mode()).isEqualTo(KubeBinaries.Mode.DOWNLOAD);
        assertThat(b.apiServerVersion()).isEqualTo("1.34.*");
        assertThat(b.pinnedVersion()).isEqualTo("1.34.4");
    }

    @Test
    void aProvisionedControllerManagerIsFound() throws IOException {
        Path dir = tmp.resolve("with-kcm");
        Path binDir = dir.resolve("k8s/1.34.4" + SUFFIX);
        provision(binDir);
        Path kcm = Files.writeString(binDir.resolve("kube-controller-manager"), "#!/bin/sh\n");
        assertThat(kcm.toFile().setExecutable(true)).isTrue();
        KubeBinaries b = KubeBinaries.resolve(props(dir), Map.of("CI", "true"), SUFFIX);
        assertThat(b.ci()).isTrue();
        assertThat(b.controllerManager().present()).isTrue();
        assertThat(b.controllerManager().path()).isEqualTo(kcm.toAbsolutePath());
    }

    @Test
    void aDirectoryProvisionedWithoutTheControllerManagerStillServesAndSaysWhatIsMissing()
            throws IOException {
        Path dir = tmp.resolve("no-kcm");
        Path binDir = dir.resolve("k8s/1.34.4" + SUFFIX);
        provision(binDir);
        KubeBinaries b = KubeBinaries.resolve(props(dir), Map.of(), SUFFIX);
        assertThat(b.mode()).isEqualTo(KubeBinaries.Mode.PROVISIONED);
        assertThat(b.ci()).isFalse();
        assertThat(b.controllerManager().present()).isFalse();
        assertThat(b.controllerManager().absentBecause())
                .contains("no kube-controller-manager in " + binDir.toAbsolutePath())
                .contains("tests/kube/provision.sh");
    }

    @Test
    void theDownloadHasNoControllerManager() throws IOException {
        KubeBinaries b = KubeBinaries.resolve(props(tmp.resolve("empty")), Map.of(), SUFFIX);
        assertThat(b.controllerManager().present()).isFalse();
        assertThat(b.controllerManager().absentBecause())
                .contains(
                        "kube-api-test's download of Kubernetes 1.34.* has no kube-controller-manager")
                .contains("tests/kube/provision.sh");
    }

    @Test
    void anExplicitVersionOverridesTheScript() throws IOException {
        Path dir = tmp.resolve("explicit");
        provision(dir.resolve("k8s/1.33.13" + SUFFIX));
        Properties p = props(dir);
        p.setProperty(KubeBinaries.VERSION_PROPERTY, "1.33.13");
        assertThat(KubeBinaries.resolve(p, Map.of("CI", "true"), SUFFIX).apiServerVersion())
                .isEqualTo("1.33.13");
    }
}
