package io.realmgate.operator.status;

import java.util.Objects;

/**
 * The one length rule for what the operator writes into a condition's message and a Warning
 * Event's: at most {@link #MAX_LENGTH} characters, cut with "...". The API server limits an Event's
 * message; a condition's allows more, but a message longer than this is no longer read by anyone,
 * and one rule keeps the two the same.
 */
public final class StatusMessages {
    public static final int MAX_LENGTH = 1024;
    private static final String CUT = "...";

    private StatusMessages() {}

    /** The text, cut to {@link #MAX_LENGTH} characters (the cut marked) when longer. */
    public static String bounded(String text) {
        String message = Objects.toString(text, "");
        return message.length() <= MAX_LENGTH
                ? message
                : message.substring(0, MAX_LENGTH - CUT.length()) + CUT;
    }

    /**
     * A failed reconcile on one line: the innermost cause's message (what the API server or the CA
     * said; the outer exceptions are JOSDK's wrapping), or its class when it has none, whitespace
     * folded, bounded.
     */
    public static String failure(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message =
                root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return bounded(message.replaceAll("\\s+", " ").strip());
    }
}
