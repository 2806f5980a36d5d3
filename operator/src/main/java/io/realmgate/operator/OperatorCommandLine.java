package io.realmgate.operator;

import io.realmgate.common.Durations;
import io.realmgate.common.Flags;
import io.realmgate.common.InvalidSetting;
import io.realmgate.common.LogFormat;
import io.realmgate.operator.access.SecretGrant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's flags. {@code --flag value} and {@code --flag=value}; a bad flag is a {@link
 * BadFlag} whose message names it (the process prints it on one line and exits 2).
 */
public final class OperatorCommandLine {
    public static final String USAGE =
            String.join(
                    "\n",
                    "Usage: java -jar realmgate-operator.jar [flags]",
                    "  --namespaces A,B                 namespaces to watch (default: all namespaces)",
                    "  --realm-image IMAGE              image of realm pods (default "
                            + OperatorSettings.defaults().realmImage()
                            + ")",
                    "  --proxy-image IMAGE              image of proxy pods (default "
                            + OperatorSettings.defaults().proxyImage()
                            + ")",
                    "  --operator-namespace NS          namespace of the CA Secret (default: $POD_NAMESPACE, else realmgate-system)",
                    "  --cluster-domain DOMAIN          cluster DNS domain (default cluster.local)",
                    "  --certificate-validity DURATION  lifetime of issued server certificates (default 90d)",
                    "  --renew-before DURATION          renew certificates and the CA when less than this remains (default 30d)",
                    "  --ca-validity DURATION           lifetime of a new CA (default 3650d)",
                    "  --ca-rotation-overlap DURATION   how long a new CA is in every bundle before it signs (default 24h)",
                    "  --image-pull-secrets NAME[,NAME] dockerconfigjson Secrets the pods pull their image with; they must",
                    "                                   exist in each Realm's or ForwardProxy's namespace (default: none)",
                    "  --log-format text|json           REALMGATE_LOG_FORMAT of the realm and proxy pods (default: the",
                    "                                   operator's own REALMGATE_LOG_FORMAT, else text)",
                    "  --metrics-namespace-selector K=V[,K=V]",
                    "                                   namespaces of the metrics scrapers (default: empty, all namespaces)",
                    "  --metrics-pod-selector K=V[,K=V]|none",
                    "                                   metrics scraper pods, admitted to the admin ports by the NetworkPolicies;",
                    "                                   none: no scraper rule (default app.kubernetes.io/name=prometheus)",
                    "  --secrets-cluster-role NAME      all namespaces only: use Secrets only in the namespaces where a RoleBinding",
                    "                                   binds this ClusterRole to the operator's ServiceAccount (default: the",
                    "                                   Secrets of every watched namespace)",
                    "  --service-account NAME           the operator's ServiceAccount, in the operator namespace, for",
                    "                                   --secrets-cluster-role (default: the pod's own)",
                    "  --admin HOST:PORT                /healthz, /readyz, /metrics (default 0.0.0.0:8080; port 0: any free port)",
                    "  --leader-election-namespace NS   namespace of the Lease (default: the operator namespace)",
                    "  --no-leader-election             reconcile without holding the Lease (one replica only!)",
                    "  --help                           this text",
                    "DURATION: a whole number with ms, s, m, h or d (90d, 12h, 30m), or ISO-8601 (PT12H).",
                    "Kubernetes access: $KUBECONFIG, ~/.kube/config, or the pod's service account.");

    private static final String DEFAULT_OPERATOR_NAMESPACE = "realmgate-system";
    private static final String NONE = "none";

    /**
     * A label name (the part after an optional DNS-subdomain prefix and '/'), and a non-empty label
     * value.
     */
    private static final Pattern LABEL_NAME =
            Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern HOST_PORT =
            Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^:\\[\\]]+):([0-9]{1,5})");
    private static final Set<String> VALUED =
            Set.of(
                    "--namespaces",
                    "--realm-image",
                    "--proxy-image",
                    "--operator-namespace",
                    "--cluster-domain",
                    "--certificate-validity",
                    "--renew-before",
                    "--ca-validity",
                    "--ca-rotation-overlap",
                    "--admin",
                    "--leader-election-namespace",
                    "--image-pull-secrets",
                    "--log-format",
                    "--metrics-namespace-selector",
                    "--metrics-pod-selector",
                    "--secrets-cluster-role",
                    "--service-account");
    private static final Set<String> SWITCHES = Set.of("--no-leader-election");

    /** A flag that cannot be used; the message names it. */
    public static final class BadFlag extends Exception {
        public BadFlag(String message) {
            super(message);
        }
    }

    /** {@code --help} was given. */
    public static final class HelpRequested extends Exception {
        public HelpRequested() {
            super("help");
        }
    }

    private OperatorCommandLine() {}

    /**
     * @param environment the process environment ({@code POD_NAMESPACE} is the default operator
     *     namespace)
     */
    public static OperatorOptions parse(List<String> args, Map<String, String> environment)
            throws BadFlag, HelpRequested {
        return parse(args, environment, Optional::empty);
    }

    /**
     * @param environment the process environment ({@code POD_NAMESPACE} is the default operator
     *     namespace)
     * @param podServiceAccount the ServiceAccount of the pod the operator runs in, if it does (the
     *     default of {@code --service-account})
     */
    public static OperatorOptions parse(
            List<String> args,
            Map<String, String> environment,
            Supplier<Optional<String>> podServiceAccount)
            throws BadFlag, HelpRequested {
        Map<String, String> flags = read(args);
        OperatorSettings d = OperatorSettings.defaults();
        String podNamespace = environment.getOrDefault("POD_NAMESPACE", "");
        String operatorNamespace =
                namespace(
                        flags,
                        "--operator-namespace",
                        podNamespace.isBlank() ? DEFAULT_OPERATOR_NAMESPACE : podNamespace.strip());
        Duration certificateValidity =
                duration(flags, "--certificate-validity", d.certificateValidity());
        Duration renewBefore = duration(flags, "--renew-before", d.renewBefore());
        Duration caValidity = duration(flags, "--ca-validity", d.caValidity());
        if (renewBefore.compareTo(certificateValidity) >= 0) {
            throw new BadFlag(
                    "--renew-before ("
                            + renewBefore
                            + ") must be shorter than --certificate-validity ("
                            + certificateValidity
                            + ")");
        }
        if (renewBefore.compareTo(caValidity) >= 0) {
            throw new BadFlag(
                    "--renew-before ("
                            + renewBefore
                            + ") must be shorter than --ca-validity ("
                            + caValidity
                            + ")");
        }
        Duration overlap = duration(flags, "--ca-rotation-overlap", d.caRotationOverlap());
        if (renewBefore.plus(overlap).compareTo(caValidity) >= 0) {
            throw new BadFlag(
                    "--renew-before ("
                            + renewBefore
                            + ") plus --ca-rotation-overlap ("
                            + overlap
                            + ") must be shorter than --ca-validity ("
                            + caValidity
                            + ")");
        }
        String clusterDomain = flags.getOrDefault("--cluster-domain", d.clusterDomain());
        if (!DNS_NAME.matcher(clusterDomain).matches()) {
            throw new BadFlag(
                    "--cluster-domain: \""
                            + clusterDomain
                            + "\" is not a DNS domain such as cluster.local");
        }
        Optional<MetricsScrapers> scrapers = d.metricsScrapers();
        String podSelector = flags.get("--metrics-pod-selector");
        if (NONE.equals(podSelector)) {
            scrapers = Optional.empty();
        } else if (podSelector != null || flags.containsKey("--metrics-namespace-selector")) {
            MetricsScrapers defaults = MetricsScrapers.DEFAULT;
            scrapers =
                    Optional.of(
                            MetricsScrapers.of(
                                    labels(
                                            flags,
                                            "--metrics-namespace-selector",
                                            defaults.namespaceLabels()),
                                    labels(flags, "--metrics-pod-selector", defaults.podLabels())));
        }
        OperatorSettings settings =
                new OperatorSettings(
                        image(flags, "--realm-image", d.realmImage()),
                        image(flags, "--proxy-image", d.proxyImage()),
                        clusterDomain,
                        operatorNamespace,
                        d.caSecretName(),
                        caValidity,
                        certificateValidity,
                        renewBefore,
                        d.podNetworks(),
                        secretNames(flags, "--image-pull-secrets", d.imagePullSecrets()),
                        scrapers,
                        secretGrant(flags, operatorNamespace, podServiceAccount),
                        logFormat(flags, environment),
                        overlap);

        String admin = flags.getOrDefault("--admin", "0.0.0.0:8080");
        Matcher hostPort = HOST_PORT.matcher(admin);
        if (!hostPort.matches() || Integer.parseInt(hostPort.group(2)) > 65535) {
            throw new BadFlag(
                    "--admin: \""
                            + admin
                            + "\" is not HOST:PORT (such as 0.0.0.0:8080 or [::1]:8080)");
        }
        String adminHost = hostPort.group(1).replace("[", "").replace("]", "");
        return new OperatorOptions(
                settings,
                namespaces(flags),
                adminHost,
                Integer.parseInt(hostPort.group(2)),
                !flags.containsKey("--no-leader-election"),
                namespace(flags, "--leader-election-namespace", operatorNamespace));
    }

    /**
     * {@code --log-format}: the realm and proxy pods log as the operator does unless the flag says
     * otherwise (the chart sets both from one value).
     */
    private static LogFormat logFormat(Map<String, String> flags, Map<String, String> environment)
            throws BadFlag {
        try {
            String flag = flags.get("--log-format");
            return flag == null
                    ? LogFormat.select(environment)
                    : LogFormat.parse(flag, "--log-format");
        } catch (InvalidSetting e) {
            throw new BadFlag(e.getMessage());
        }
    }

    /**
     * {@code --secrets-cluster-role} and {@code --service-account}: the operator uses Secrets only
     * in namespaces that bind that ClusterRole to it. Only when it watches all namespaces; with
     * {@code --namespaces} the Roles of the listed namespaces grant their Secrets, and the operator
     * has no cluster-wide right to see bindings.
     */
    private static Optional<SecretGrant> secretGrant(
            Map<String, String> flags,
            String operatorNamespace,
            Supplier<Optional<String>> podServiceAccount)
            throws BadFlag {
        String clusterRole = flags.get("--secrets-cluster-role");
        if (clusterRole == null) {
            if (flags.containsKey("--service-account")) {
                throw new BadFlag("--service-account is only used with --secrets-cluster-role");
            }
            return Optional.empty();
        }
        if (!DNS_NAME.matcher(clusterRole).matches()) {
            throw new BadFlag(
                    "--secrets-cluster-role: \"" + clusterRole + "\" is not a ClusterRole name");
        }
        if (flags.containsKey("--namespaces")) {
            throw new BadFlag(
                    "--secrets-cluster-role: only when watching all namespaces (with --namespaces, the "
                            + "Roles of the listed namespaces grant their Secrets)");
        }
        String serviceAccount =
                flags.containsKey("--service-account")
                        ? flags.get("--service-account")
                        : podServiceAccount
                                .get()
                                .orElseThrow(
                                        () ->
                                                new BadFlag(
                                                        "--service-account: needed with "
                                                                + "--secrets-cluster-role outside a pod (there is no service account token to take it from)"));
        if (!DNS_NAME.matcher(serviceAccount).matches()) {
            throw new BadFlag(
                    "--service-account: \"" + serviceAccount + "\" is not a ServiceAccount name");
        }
        return Optional.of(new SecretGrant(clusterRole, operatorNamespace, serviceAccount));
    }

    private static Map<String, String> read(List<String> args) throws BadFlag, HelpRequested {
        try {
            Flags flags = Flags.read(args, VALUED, SWITCHES);
            if (flags.help()) {
                throw new HelpRequested();
            }
            return flags.once();
        } catch (InvalidSetting e) {
            throw new BadFlag(e.getMessage());
        }
    }

    private static Set<String> namespaces(Map<String, String> flags) throws BadFlag {
        String list = flags.get("--namespaces");
        Set<String> namespaces = new TreeSet<>();
        if (list == null) {
            return namespaces;
        }
        for (String name : list.split(",", -1)) {
            String ns = name.strip();
            if (!DNS_LABEL.matcher(ns).matches()) {
                throw new BadFlag("--namespaces: \"" + ns + "\" is not a namespace name");
            }
            namespaces.add(ns);
        }
        return namespaces;
    }

    /** Secret names, comma-separated; an empty value is none. */
    private static List<String> secretNames(
            Map<String, String> flags, String flag, List<String> defaultValue) throws BadFlag {
        String list = flags.get(flag);
        if (list == null) {
            return defaultValue;
        }
        List<String> names = new ArrayList<>();
        if (list.isBlank()) {
            return names;
        }
        for (String item : list.split(",", -1)) {
            String name = item.strip();
            if (name.length() > 253 || !DNS_NAME.matcher(name).matches()) {
                throw new BadFlag(flag + ": \"" + name + "\" is not a Secret name");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * Labels as matchLabels, {@code key=value[,key=value]}; an empty value matches everything. Keys
     * are {@code [prefix/]name} with a DNS-subdomain prefix; values may be empty.
     */
    static Map<String, String> labels(
            Map<String, String> flags, String flag, Map<String, String> defaultValue)
            throws BadFlag {
        String list = flags.get(flag);
        if (list == null) {
            return defaultValue;
        }
        Map<String, String> labels = new TreeMap<>();
        if (list.isBlank()) {
            return labels;
        }
        for (String item : list.split(",", -1)) {
            String pair = item.strip();
            int equals = pair.indexOf('=');
            if (equals < 0) {
                throw new BadFlag(flag + ": \"" + pair + "\" is not a label key=value");
            }
            String key = pair.substring(0, equals).strip();
            String value = pair.substring(equals + 1).strip();
            if (!labelKey(key)) {
                throw new BadFlag(
                        flag
                                + ": \""
                                + key
                                + "\" is not a label key (such as app.kubernetes.io/name)");
            }
            if (!value.isEmpty() && !LABEL_NAME.matcher(value).matches()) {
                throw new BadFlag(flag + ": \"" + value + "\" is not a label value");
            }
            if (labels.put(key, value) != null) {
                throw new BadFlag(flag + ": label " + key + " is given twice");
            }
        }
        return labels;
    }

    private static boolean labelKey(String key) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.length() > 253 || !DNS_NAME.matcher(prefix).matches()) {
                return false;
            }
        }
        return LABEL_NAME.matcher(name).matches();
    }

    private static String namespace(Map<String, String> flags, String flag, String defaultValue)
            throws BadFlag {
        String ns = flags.getOrDefault(flag, defaultValue);
        if (!DNS_LABEL.matcher(ns).matches()) {
            throw new BadFlag(flag + ": \"" + ns + "\" is not a namespace name");
        }
        return ns;
    }

    private static String image(Map<String, String> flags, String flag, String defaultValue)
            throws BadFlag {
        String image = flags.getOrDefault(flag, defaultValue);
        if (image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
            throw new BadFlag(flag + ": \"" + image + "\" is not an image reference");
        }
        return image;
    }

    static Duration duration(Map<String, String> flags, String flag, Duration defaultValue)
            throws BadFlag {
        String text = flags.get(flag);
        if (text == null) {
            return defaultValue;
        }
        try {
            return Durations.parse(flag, text);
        } catch (InvalidSetting e) {
            throw new BadFlag(e.getMessage());
        }
    }
}
