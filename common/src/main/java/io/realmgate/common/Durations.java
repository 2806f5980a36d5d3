package io.realmgate.common;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of flags and config files, for the proxy, the realm and the operator: a
 * whole number with a unit, {@code 250ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 90d}, or
 * ISO-8601 such as {@code PT1H30M} or {@code P1D}. Case does not matter, surrounding blanks are
 * ignored. A duration is longer than zero: none of the settings it names has a meaning for zero or
 * less.
 *
 * <p>The grammar is the union of the three that were there before (proxy: ms/s/m/h; realm: ms/s/m,
 * any case; operator: s/m/h/d and ISO-8601), so no value that one of them took is refused now.
 */
public final class Durations {
    public static final String EXAMPLES = "such as 500ms, 30s, 5m, 12h, 90d or PT1H";
    private static final Pattern WITH_UNIT = Pattern.compile("\\+?([0-9]{1,19})(ms|s|m|h|d)");

    private Durations() {}

    /**
     * @param name the flag or config key, for the message
     */
    public static Duration parse(String name, String text) throws InvalidSetting {
        if (text == null) {
            throw new InvalidSetting(name + ": a duration is needed (" + EXAMPLES + ")");
        }
        String v = text.strip().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            Matcher m = WITH_UNIT.matcher(v);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d =
                        switch (m.group(2)) {
                            case "ms" -> Duration.ofMillis(n);
                            case "s" -> Duration.ofSeconds(n);
                            case "m" -> Duration.ofMinutes(n);
                            case "h" -> Duration.ofHours(n);
                            default -> Duration.ofDays(n);
                        };
            } else if (v.startsWith("p") || v.startsWith("+p") || v.startsWith("-p")) {
                d = Duration.parse(v.toUpperCase(Locale.ROOT));
            } else {
                throw new InvalidSetting(
                        name + ": \"" + text + "\" is not a duration (" + EXAMPLES + ")");
            }
        } catch (DateTimeParseException e) {
            throw new InvalidSetting(
                    name + ": \"" + text + "\" is not a duration (" + EXAMPLES + ")");
        } catch (ArithmeticException | NumberFormatException e) {
            // NumberFormatException: 19 digits past Long.MAX_VALUE (the realm's grammar took any
            // long).
            throw new InvalidSetting(name + ": \"" + text + "\" is too long a duration");
        }
        if (d.isNegative() || d.isZero()) {
            throw new InvalidSetting(name + ": \"" + text + "\" must be longer than zero");
        }
        return d;
    }
}
