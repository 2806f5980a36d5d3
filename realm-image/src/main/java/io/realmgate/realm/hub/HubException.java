package io.realmgate.realm.hub;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** A request the realm refuses; {@link #code()} is the protocol's error code (docs/protocol.md). */
public final class HubException extends Exception {
    /** The code of a publish whose event could not be stored now. */
    public static final String UNAVAILABLE = "unavailable";

    private final String code;

    public HubException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /**
     * What a failed publish tells its client: the HubException it failed with, or {@code
     * unavailable} for anything else (the store could not be reached; its own message may name
     * hosts, so it stays in the log).
     */
    public static HubException of(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof HubException e) {
            return e;
        }
        return new HubException(UNAVAILABLE, "the event was not stored: the store is unavailable");
    }
}
