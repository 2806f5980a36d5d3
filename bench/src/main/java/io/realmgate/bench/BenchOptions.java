package io.realmgate.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The command line. {@code --quick} only changes defaults: flags given beside it still win. */
record BenchOptions(
        long bytes,
        int tunnels,
        int repeat,
        Path proxyJar,
        Path out,
        boolean quick,
        boolean help,
        Path realmJar,
        int fanOutSeconds,
        boolean fanOut,
        int idleTunnels,
        int parallel,
        int concurrency,
        int wsMessages,
        List<String> peers,
        boolean pin,
        Path outDir,
        Set<String> only,
        int coldTunnels) {
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    /** The proxies that can be compared, ours first; {@code --peers} picks from these. */
    static final List<String> ALL_PEERS =
            List.of(
                    Subject.REALMGATE,
                    Subject.APACHE,
                    Subject.SQUID,
                    Subject.TINYPROXY,
                    Subject.CEILING);

    /** Figure groups for {@code --only}. */
    static final List<String> ALL_FIGURES =
            List.of(
                    "throughput",
                    "setup",
                    "cold",
                    "memory",
                    "ws",
                    "fanout",
                    PeerFanOutSection.GROUP);

    static final String USAGE =
            String.join(
                    "\n",
                    "usage: java -jar bench/target/realmgate-bench.jar [options]",
                    "  --bytes N            bytes per single-tunnel throughput run, each way; k/m/g (default 1g)",
                    "  --parallel N         tunnels of the parallel throughput run, N/parallel bytes each (default 8)",
                    "  --tunnels N          tunnels per set-up run, sequential and concurrent (default 2000)",
                    "  --concurrency N      client threads of the concurrent set-up run (default 64)",
                    "  --cold-tunnels N     tunnels counted after a fresh proxy's first one, for the cold figure (default 1000)",
                    "  --idle-tunnels N     idle tunnels held open for the memory figure (default 10000)",
                    "  --ws-messages N      WebSocket echo round trips per run (default 20000)",
                    "  --repeat N           measured runs per figure and subject (default 3)",
                    "  --peers LIST         proxies to compare, of realmgate,apache,squid,tinyproxy,ceiling (default: all installed;",
                    "                       ceiling is a minimal C relay built with gcc: the bound no proxy passes here)",
                    "  --only LIST          figure groups, of throughput,setup,cold,memory,ws,fanout,fanout-peers (default: all;",
                    "                       fanout-peers: the realm's fan-out against Centrifugo, memory and redis engines)",
                    "  --no-pin             no CPU pinning (default: client on one CPU, proxies and targets on another)",
                    "  --proxy-jar PATH     the proxy (default proxy-image/target/realmgate-proxy.jar)",
                    "  --out FILE           also write the report here",
                    "  --out-dir DIR        write DIR/results.md and DIR/results.png (chart)",
                    "  --realm-jar PATH     the realm, for fan-out (default realm-image/target/realmgate-realm.jar)",
                    "  --fanout-seconds N   seconds per fan-out phase (default 3)",
                    "  --no-fanout          skip the realm fan-out figures (same as leaving fanout and fanout-peers out of --only)",
                    "  --quick              smoke run: 64m, 300 tunnels (cold: 300), 1 repeat, 1000 idle tunnels, 2000 ws messages, 1 s fan-out",
                    "  --help               this text");

    /** A bad command line: the message is one line that names the offending flag. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]?)(i?b)?");

    static BenchOptions parse(String... args) throws UsageException {
        Long bytes = null;
        Integer tunnels = null;
        Integer repeat = null;
        Integer fanOutSeconds = null;
        Integer idleTunnels = null;
        Integer wsMessages = null;
        Integer coldTunnels = null;
        int parallel = 8;
        int concurrency = 64;
        Path jar = Path.of("proxy-image/target/realmgate-proxy.jar");
        Path realmJar = Path.of("realm-image/target/realmgate-realm.jar");
        Path out = null;
        Path outDir = null;
        List<String> peers = null;
        Set<String> only = new LinkedHashSet<>(ALL_FIGURES);
        boolean quick = false;
        boolean help = false;
        boolean fanOut = true;
        boolean pin = true;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value = null;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            switch (flag) {
                case "--quick", "--help", "-h", "--no-fanout", "--no-pin" -> {
                    if (value != null) {
                        throw new UsageException(flag + " takes no value");
                    }
                    switch (flag) {
                        case "--quick" -> quick = true;
                        case "--no-fanout" -> fanOut = false;
                        case "--no-pin" -> pin = false;
                        default -> help = true;
                    }
                }
                case "--bytes",
                        "--tunnels",
                        "--repeat",
                        "--proxy-jar",
                        "--out",
                        "--realm-jar",
                        "--fanout-seconds",
                        "--idle-tunnels",
                        "--parallel",
                        "--concurrency",
                        "--ws-messages",
                        "--cold-tunnels",
                        "--peers",
                        "--out-dir",
                        "--only" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException(flag + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (flag) {
                        case "--bytes" -> bytes = size(flag, value);
                        case "--tunnels" -> tunnels = count(flag, value);
                        case "--repeat" -> repeat = count(flag, value);
                        case "--proxy-jar" -> jar = Path.of(value);
                        case "--realm-jar" -> realmJar = Path.of(value);
                        case "--fanout-seconds" -> fanOutSeconds = count(flag, value);
                        case "--idle-tunnels" -> idleTunnels = count(flag, value);
                        case "--parallel" -> parallel = count(flag, value);
                        case "--concurrency" -> concurrency = count(flag, value);
                        case "--ws-messages" -> wsMessages = count(flag, value);
                        case "--cold-tunnels" -> coldTunnels = count(flag, value);
                        case "--peers" -> peers = list(flag, value, ALL_PEERS);
                        case "--only" -> only = new LinkedHashSet<>(list(flag, value, ALL_FIGURES));
                        case "--out-dir" -> outDir = Path.of(value);
                        default -> out = Path.of(value);
                    }
                }
                default -> throw new UsageException("unknown flag '" + flag + "' (try --help)");
            }
        }
        if (!fanOut) {
            only.remove("fanout");
            only.remove(PeerFanOutSection.GROUP);
        }
        long b = bytes != null ? bytes : quick ? 64 * MIB : GIB;
        if (b < parallel) {
            throw new UsageException(
                    "--bytes: "
                            + b
                            + " bytes cannot be split over "
                            + parallel
                            + " parallel tunnels");
        }
        return new BenchOptions(
                b,
                tunnels != null ? tunnels : quick ? 300 : 2000,
                repeat != null ? repeat : quick ? 1 : 3,
                jar,
                out,
                quick,
                help,
                realmJar,
                fanOutSeconds != null ? fanOutSeconds : quick ? 1 : 3,
                only.contains("fanout"),
                idleTunnels != null ? idleTunnels : quick ? 1000 : 10_000,
                parallel,
                concurrency,
                wsMessages != null ? wsMessages : quick ? 2000 : 20_000,
                peers != null ? peers : ALL_PEERS,
                pin,
                outDir,
                Set.copyOf(only),
                coldTunnels != null ? coldTunnels : quick ? 300 : 1000);
    }

    /**
     * The same options with another idle-tunnel count (what the machine's descriptor limit allows).
     */
    BenchOptions withIdleTunnels(int n) {
        return new BenchOptions(
                bytes,
                tunnels,
                repeat,
                proxyJar,
                out,
                quick,
                help,
                realmJar,
                fanOutSeconds,
                fanOut,
                n,
                parallel,
                concurrency,
                wsMessages,
                peers,
                pin,
                outDir,
                only,
                coldTunnels);
    }

    boolean measures(String figureGroup) {
        return only.contains(figureGroup);
    }

    /** {@code 1g}, {@code 256m}, {@code 64MiB}, {@code 1048576}: binary multiples. */
    static long size(String flag, String value) throws UsageException {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException(flag + ": not a size: '" + value + "' (e.g. 1g, 256m)");
        }
        int shift =
                switch (m.group(2)) {
                    case "k" -> 10;
                    case "m" -> 20;
                    case "g" -> 30;
                    default -> 0;
                };
        try {
            long n = Long.parseLong(m.group(1));
            if (n < 1 || n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": out of range: '" + value + "'");
        }
    }

    private static int count(String flag, String value) throws UsageException {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": expected a whole number >= 1, got '" + value + "'");
        }
    }

    /** A comma-separated list of known names, in the order given, each once. */
    private static List<String> list(String flag, String value, List<String> known)
            throws UsageException {
        List<String> names = new ArrayList<>();
        for (String part : value.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (!known.contains(name)) {
                throw new UsageException(
                        flag + ": unknown '" + name + "' (one of " + String.join(",", known) + ")");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            throw new UsageException(
                    flag + ": empty list (one or more of " + String.join(",", known) + ")");
        }
        return List.copyOf(names);
    }

    /** For labels: {@code 1 GiB}, {@code 64 MiB}, or plain bytes when not a whole multiple. */
    static String humanBytes(long n) {
        if (n % GIB == 0) {
            return n / GIB + " GiB";
        }
        if (n % MIB == 0) {
            return n / MIB + " MiB";
        }
        return n + " B";
    }
}
