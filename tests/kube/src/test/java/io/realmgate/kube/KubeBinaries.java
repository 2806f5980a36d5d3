package io.realmgate.kube;

import io.fabric8.kubeapitest.Utils;
import io.fabric8.kubeapitest.binary.OSInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides where the kube-apiserver, etcd and kubectl binaries of the tests come from.
 *
 * <ul>
 *   <li>Provisioned (offline): {@code tests/kube/provision.sh} built them into {@code
 *       <dir>/k8s/<version>-<os>-<arch>/}; kube-api-test runs them in offline mode.
 *   <li>Download: outside CI, when they are absent, kube-api-test downloads the newest release of
 *       the same minor version into its own directory ({@code ~/.kubeapitest}), as it normally
 *       does.
 *   <li>Missing: in CI ({@code CI=true}) nothing is downloaded; the tests fail naming the provision
 *       script.
 * </ul>
 *
 * <p>{@code <dir>} is the system property {@code realmgate.kube.dir}, else the environment variable
 * {@code REALMGATE_KUBE_DIR}, else {@code ~/.cache/realmgate/kube-api-test} (the script's default).
 * The version is {@code realmgate.kube.version}, else the {@code K8S_VERSION=} pinned in the
 * provision script.
 *
 * <p>{@code kube-controller-manager} (its garbage collector and namespace controller) is optional:
 * only the provision script builds it, kube-api-test's download has none, and a directory
 * provisioned before the script built it still serves the API server. {@link #controllerManager()}
 * says whether it is there and, if not, why.
 */
public final class KubeBinaries {

    public static final String DIR_PROPERTY = "realmgate.kube.dir";
    public static final String DIR_ENV = "REALMGATE_KUBE_DIR";
    public static final String VERSION_PROPERTY = "realmgate.kube.version";
    public static final String SCRIPT_PROPERTY = "realmgate.kube.provisionScript";
    public static final String SCRIPT = "tests/kube/provision.sh";

    static final String[] BINARIES = {"kube-apiserver", "etcd", "kubectl"};
    static final String CONTROLLER_MANAGER = "kube-controller-manager";
    private static final Pattern PINNED =
            Pattern.compile("(?m)^K8S_VERSION=([0-9]+\\.[0-9]+\\.[0-9]+)\\s*$");

    /** How the API server gets its binaries. */
    public enum Mode {
        PROVISIONED,
        DOWNLOAD
    }

    private final Mode mode;
    private final String version;
    private final Path cacheDir;
    private final Path binDir;
    private final boolean ci;

    private KubeBinaries(Mode mode, String version, Path cacheDir, Path binDir, boolean ci) {
        this.mode = mode;
        this.version = version;
        this.cacheDir = cacheDir;
        this.binDir = binDir;
        this.ci = ci;
    }

    /** Resolves from this JVM's system properties and environment. */
    public static KubeBinaries resolve() {
        return resolve(System.getProperties(), System.getenv(), Utils.platformSuffix(new OSInfo()));
    }

    /**
     * Resolves from the given properties and environment.
     *
     * @param platformSuffix kube-api-test's directory suffix for this machine, e.g. {@code
     *     -linux-amd64}
     * @throws IllegalStateException when the binaries are absent in CI, or the version cannot be
     *     determined
     */
    static KubeBinaries resolve(Properties props, Map<String, String> env, String platformSuffix) {
        String version =
                nonBlank(props.getProperty(VERSION_PROPERTY)).orElseGet(() -> pinnedVersion(props));
        Path cacheDir =
                nonBlank(props.getProperty(DIR_PROPERTY))
                        .or(() -> nonBlank(env.get(DIR_ENV)))
                        .map(Path::of)
                        .orElseGet(
                                () ->
                                        Path.of(
                                                System.getProperty("user.home"),
                                                ".cache",
                                                "realmgate",
                                                "kube-api-test"))
                        .toAbsolutePath();
        Path binDir = cacheDir.resolve("k8s").resolve(version + platformSuffix);
        boolean ci = "true".equalsIgnoreCase(env.getOrDefault("CI", "").trim());
        if (complete(binDir)) {
            return new KubeBinaries(Mode.PROVISIONED, version, cacheDir, binDir, ci);
        }
        if (ci) {
            throw new IllegalStateException(
                    "Kubernetes v"
                            + version
                            + " test binaries (kube-apiserver, etcd, kubectl) "
                            + "are not in "
                            + binDir
                            + ", and CI=true forbids downloading them. Run "
                            + SCRIPT
                            + " first (it builds them from source through the Go module proxy into "
                            + cacheDir
                            + "), or point "
                            + DIR_ENV
                            + " / -D"
                            + DIR_PROPERTY
                            + " at a directory it provisioned.");
        }
        return new KubeBinaries(Mode.DOWNLOAD, version, cacheDir, binDir, ci);
    }

    /** The Kubernetes version pinned in the provision script. */
    static String pinnedVersion(Properties props) {
        Path script = Path.of(nonBlank(props.getProperty(SCRIPT_PROPERTY)).orElse("provision.sh"));
        try {
            Matcher m = PINNED.matcher(Files.readString(script));
            if (m.find()) {
                return m.group(1);
            }
            throw new IllegalStateException(
                    "no K8S_VERSION=X.Y.Z line in " + script.toAbsolutePath());
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read the pinned Kubernetes version from "
                            + script.toAbsolutePath()
                            + " (set -D"
                            + VERSION_PROPERTY
                            + "=X.Y.Z or -D"
                            + SCRIPT_PROPERTY
                            + "=path/to/provision.sh)",
                    e);
        }
    }

    static boolean complete(Path binDir) {
        for (String name : BINARIES) {
            if (!executable(binDir.resolve(name))) {
                return false;
            }
        }
        return true;
    }

    private static boolean executable(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    private static Optional<String> nonBlank(String s) {
        return Optional.ofNullable(s).map(String::trim).filter(v -> !v.isEmpty());
    }

    public Mode mode() {
        return mode;
    }

    /**
     * The exact version in provisioned mode; in download mode, the pinned minor version's wildcard.
     */
    public String apiServerVersion() {
        return mode == Mode.PROVISIONED ? version : minorWildcard(version);
    }

    public String pinnedVersion() {
        return version;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** The provisioned binaries (meaningful in {@link Mode#PROVISIONED}). */
    public Path binDir() {
        return binDir;
    }

    /** Whether {@code CI=true}: there, what is missing fails the tests instead of skipping them. */
    public boolean ci() {
        return ci;
    }

    /** The provisioned {@code kube-controller-manager}, or why there is none. */
    public ControllerManagerBinary controllerManager() {
        Path binary = binDir.resolve(CONTROLLER_MANAGER);
        if (mode == Mode.PROVISIONED && executable(binary)) {
            return new ControllerManagerBinary(binary, null);
        }
        String why =
                mode == Mode.PROVISIONED
                        ? "no "
                                + CONTROLLER_MANAGER
                                + " in "
                                + binDir
                                + " (provisioned before "
                                + SCRIPT
                                + " built it; run it again"
                                + " to build just that)"
                        : "kube-api-test's download of Kubernetes "
                                + minorWildcard(version)
                                + " has no "
                                + CONTROLLER_MANAGER
                                + " (run "
                                + SCRIPT
                                + " to build it with the other binaries)";
        return new ControllerManagerBinary(null, why);
    }

    /** {@code kube-controller-manager}: its path when there is one, else why not. */
    public record ControllerManagerBinary(Path path, String absentBecause) {
        public boolean present() {
            return path != null;
        }
    }

    static String minorWildcard(String version) {
        int second = version.indexOf('.', version.indexOf('.') + 1);
        return (second < 0 ? version : version.substring(0, second)) + Utils.WILDCARD_SUFFIX;
    }

    @Override
    public String toString() {
        return mode == Mode.PROVISIONED
                ? "provisioned Kubernetes v" + version + " binaries in " + binDir
                : "kube-api-test download of Kubernetes " + minorWildcard(version);
    }
}
