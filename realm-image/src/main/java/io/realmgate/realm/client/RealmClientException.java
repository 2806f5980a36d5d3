package io.realmgate.realm.client;

/** A request the realm refused ({@link #code()} from its error frame) or that could not be sent. */
public final class RealmClientException extends RuntimeException {
    private final String code;

    public RealmClientException(String code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
