package io.realmgate.proxy.access;

/**
 * Why a request is not carried out: the HTTP status to answer with and a reason for the log and
 * metrics.
 */
public record Refusal(int status, Reason reason, String detail) {

    public enum Reason {
        CLIENT_NOT_ALLOWED(403),
        TARGET_NOT_ALLOWED(403),
        BAD_REQUEST(400),
        HEADERS_TOO_LARGE(431),
        UNRESOLVABLE(502),
        UPSTREAM_REFUSED(502),
        UPSTREAM_TIMEOUT(504);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public static Refusal of(Reason reason, String detail) {
        return new Refusal(reason.status(), reason, detail);
    }

    /** Thrown through futures so the caller can answer with the right status. */
    public static final class RefusedException extends Exception {
        private final Refusal refusal;

        public RefusedException(Refusal refusal) {
            super(refusal.reason() + ": " + refusal.detail(), null, false, false);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }
}
