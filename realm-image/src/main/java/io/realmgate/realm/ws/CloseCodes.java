package io.realmgate.realm.ws;

/** The WebSocket close codes the realm sends (docs/protocol.md lists them with their meaning). */
public final class CloseCodes {
    /** Server stopping. */
    public static final int GOING_AWAY = 1001;

    /** A binary frame: protocol v1 is text (JSON) only. */
    public static final int UNSUPPORTED_DATA = 1003;

    /** Protocol error: also the answer to a close frame with an invalid code. */
    public static final int PROTOCOL_ERROR = 1002;

    /** A message larger than {@code --max-message}. */
    public static final int MESSAGE_TOO_BIG = 1009;

    /** No answer to a ping within the ping interval: the peer is gone. */
    public static final int PING_TIMEOUT = 4000;

    /**
     * The connection's outbound queue overflowed: it reads too slowly. Reconnect and resume with
     * {@code from}.
     */
    public static final int SLOW_CONSUMER = 4008;

    private CloseCodes() {}
}
