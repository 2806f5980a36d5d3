package io.realmgate.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The argument loop the three programs share: {@code --flag value}, {@code --flag=value} and
 * switches ({@code --flag}, no value). Each program names its flags and interprets the values; this
 * class only splits the command line and refuses what no program accepts, with a message naming the
 * flag (each program's {@code main} adds where to look: {@code --help}).
 *
 * <p>{@code --help} and {@code -h} end the reading where they stand: what follows them is not
 * looked at, so {@code --help} always prints the usage.
 *
 * @param help {@code --help} or {@code -h} was given
 * @param flags the flags before it, in command-line order; a switch has the value {@code ""}
 */
public record Flags(boolean help, List<Flag> flags) {
    /** One flag as given: its name (with the dashes) and its value ({@code ""} for a switch). */
    public record Flag(String name, String value) {}

    public Flags {
        flags = List.copyOf(flags);
    }

    /**
     * @param valued flags that take a value
     * @param switches flags that take none
     */
    public static Flags read(List<String> args, Set<String> valued, Set<String> switches)
            throws InvalidSetting {
        List<Flag> flags = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            if (name.equals("--help") || name.equals("-h")) {
                return new Flags(true, flags);
            }
            if (switches.contains(name)) {
                if (value != null) {
                    throw new InvalidSetting(name + " takes no value");
                }
                flags.add(new Flag(name, ""));
                continue;
            }
            if (!valued.contains(name)) {
                throw new InvalidSetting(
                        arg.startsWith("-")
                                ? "unknown flag '" + name + "'"
                                : "unexpected argument '" + arg + "'");
            }
            if (value == null) {
                // A value that starts with "--" is taken for the next flag: "--listen --via" lacks
                // the address.
                if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                    throw new InvalidSetting(name + " needs a value");
                }
                value = args.get(++i);
            }
            flags.add(new Flag(name, value));
        }
        return new Flags(false, flags);
    }

    public static Flags read(String[] args, Set<String> valued, Set<String> switches)
            throws InvalidSetting {
        return read(List.of(args), valued, switches);
    }

    /**
     * The flags by name, for a program where each flag may be given once; a repeated flag is
     * refused.
     */
    public Map<String, String> once() throws InvalidSetting {
        Map<String, String> byName = new LinkedHashMap<>();
        for (Flag f : flags) {
            if (byName.put(f.name(), f.value()) != null) {
                throw new InvalidSetting(f.name() + " is given twice");
            }
        }
        return Collections.unmodifiableMap(byName);
    }
}
