package io.realmgate.realm.config;

/** A configuration value that cannot be used; the message names the flag and says what is wrong. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
