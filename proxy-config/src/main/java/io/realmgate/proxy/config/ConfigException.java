package io.realmgate.proxy.config;

/** Bad configuration. The message names the flag or key and says what is wrong, in one line. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
