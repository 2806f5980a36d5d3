package io.realmgate.realm.config;

import java.time.Duration;
import java.util.Locale;

/** Sizes ({@code 65536}, {@code 64KiB}, {@code 1MiB}) and durations ({@code 500ms}, {@code 30s}, {@code 2m}) as typed on a command line. */
public final class Units {
    private Units() {
    }

    public static long bytes(String flag, String value) throws ConfigException {
        String v = value.trim();
        long unit = 1;
        String lower = v.toLowerCase(Locale.ROOT);
        for (String[] suffix : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"b", "1"}}) {
            if (lower.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                v = v.substring(0, v.length() - suffix[0].length());
                break;
            }
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException(flag + ": '" + value + "' is not a size (e.g. 65536, 64KiB, 1MiB)");
        }
    }

    public static Duration duration(String flag, String value) throws ConfigException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new ConfigException(flag + ": '" + value + "' is not a duration (e.g. 500ms, 30s, 2m)");
    }
}
