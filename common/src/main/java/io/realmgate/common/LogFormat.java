package io.realmgate.common;

import java.util.Map;

/**
 * How the three programs write their log lines on stdout, one switch for all of them, the
 * environment variable {@value #ENVIRONMENT}: {@code text} (or unset) is the readable line, {@code
 * json} one JSON object per line for a log collector. Each program's logback.xml picks the appender
 * named by the variable; this class is the program's check, before the first line is logged, that
 * the value names one of them, so a wrong value stops the program with one line instead of a
 * program that logs nothing.
 */
public enum LogFormat {
    TEXT("text"),
    JSON("json");

    public static final String ENVIRONMENT = "REALMGATE_LOG_FORMAT";

    private final String value;

    LogFormat(String value) {
        this.value = value;
    }

    /** The value as {@value #ENVIRONMENT} and the operator's {@code --log-format} spell it. */
    public String value() {
        return value;
    }

    /** The format the process environment asks for. */
    public static LogFormat fromEnvironment() throws InvalidSetting {
        return select(System.getenv());
    }

    /** The format {@value #ENVIRONMENT} in {@code environment} asks for; unset is text. */
    public static LogFormat select(Map<String, String> environment) throws InvalidSetting {
        String wanted = environment.get(ENVIRONMENT);
        if (wanted == null) {
            return TEXT;
        }
        return parse(wanted, ENVIRONMENT);
    }

    /**
     * {@code text} or {@code json}, exactly: logback selects the appender by this name, so a value
     * in another case or with spaces would select none.
     */
    public static LogFormat parse(String wanted, String name) throws InvalidSetting {
        for (LogFormat format : values()) {
            if (format.value.equals(wanted)) {
                return format;
            }
        }
        throw new InvalidSetting(name + ": '" + wanted + "' is not a log format (text or json)");
    }
}
