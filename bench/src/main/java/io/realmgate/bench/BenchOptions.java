package io.realmgate.bench;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The command line. {@code --quick} only changes defaults: flags given beside it still win. */
record BenchOptions(long bytes, int tunnels, int repeat, Path proxyJar, Path out, boolean quick, boolean help,
                    Path realmJar, int fanOutSeconds, boolean fanOut) {
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    static final String USAGE = String.join("\n",
            "usage: java -jar bench/target/realmgate-bench.jar [options]",
            "  --bytes N         bytes per throughput run, suffixes k/m/g (default 1g)",
            "  --tunnels N       tunnels per set-up run (default 2000)",
            "  --repeat N        measured runs per figure and subject (default 3)",
            "  --proxy-jar PATH  the proxy (default proxy-image/target/realmgate-proxy.jar)",
            "  --out FILE        also write the results table here",
            "  --realm-jar PATH  the realm, for fan-out (default realm-image/target/realmgate-realm.jar)",
            "  --fanout-seconds N  seconds per fan-out phase (default 3)",
            "  --no-fanout       skip the realm fan-out figures",
            "  --quick           smoke run: 64m, 300 tunnels, 1 repeat",
            "  --help            this text");

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
        Path jar = Path.of("proxy-image/target/realmgate-proxy.jar");
        Path out = null;
        boolean quick = false;
        boolean help = false;
        Path realmJar = Path.of("realm-image/target/realmgate-realm.jar");
        Integer fanOutSeconds = null;
        boolean fanOut = true;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value = null;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            switch (flag) {
                case "--quick", "--help", "-h", "--no-fanout" -> {
                    if (value != null) {
                        throw new UsageException(flag + " takes no value");
                    }
                    if (flag.equals("--quick")) {
                        quick = true;
                    } else if (flag.equals("--no-fanout")) {
                        fanOut = false;
                    } else {
                        help = true;
                    }
                }
                case "--bytes", "--tunnels", "--repeat", "--proxy-jar", "--out", "--realm-jar", "--fanout-seconds" -> {
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
                        default -> out = Path.of(value);
                    }
                }
                default -> throw new UsageException("unknown flag '" + flag + "' (try --help)");
            }
        }
        return new BenchOptions(
                bytes != null ? bytes : quick ? 64 * MIB : GIB,
                tunnels != null ? tunnels : quick ? 300 : 2000,
                repeat != null ? repeat : quick ? 1 : 3,
                jar, out, quick, help, realmJar, fanOutSeconds != null ? fanOutSeconds : quick ? 1 : 3, fanOut);
    }

    /** {@code 1g}, {@code 256m}, {@code 64MiB}, {@code 1048576}: binary multiples. */
    static long size(String flag, String value) throws UsageException {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException(flag + ": not a size: '" + value + "' (e.g. 1g, 256m)");
        }
        int shift = switch (m.group(2)) {
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
