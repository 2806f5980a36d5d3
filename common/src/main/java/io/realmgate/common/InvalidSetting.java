package io.realmgate.common;

/**
 * A flag, config key or environment variable whose value cannot be used. The message names it and
 * says what was wrong; each program turns it into its own configuration error (exit 2).
 */
public final class InvalidSetting extends Exception {
    public InvalidSetting(String message) {
        super(message);
    }
}
