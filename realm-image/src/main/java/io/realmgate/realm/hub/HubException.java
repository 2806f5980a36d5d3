package io.realmgate.realm.hub;

/** A request the realm refuses; {@link #code()} is the protocol's error code (docs/protocol.md). */
public final class HubException extends Exception {
    private final String code;

    public HubException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
