package io.realmgate.realm.config;

import java.util.Locale;

/**
 * Sizes ({@code 65536}, {@code 64KiB}, {@code 1MiB}) as typed on a command line; durations are
 * {@code io.realmgate.common.Durations}.
 */
public final class Units {
    private Units() {}

    public static long bytes(String flag, String value) throws ConfigException {
        String v = value.trim();
        long unit = 1;
        String lower = v.toLowerCase(Locale.ROOT);
        for (String[] suffix :
                new String[][] {
                    {"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"b", "1"}
                }) {
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
            throw new ConfigException(
                    flag + ": '" + value + "' is not a size (e.g. 65536, 64KiB, 1MiB)");
        }
    }
}
