package io.realmgate.common;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CodecException;
import io.netty.util.AttributeKey;
import java.io.IOException;
import org.slf4j.Logger;

/**
 * What an {@code exceptionCaught} does with an exception nobody expected. The connection is closed
 * in every case; the question is whether anyone hears of it.
 *
 * <ul>
 *   <li>The peer's doing, closed quietly as before: an {@link IOException} anywhere in the cause
 *       chain (reset, broken pipe, a TLS record that is not one), or a Netty codec error with
 *       nothing else beneath it (a frame too long, a corrupt frame: bad input a decoder detected).
 *       Logging these would let any client fill the log.
 *   <li>Anything else is a defect in a handler (a NullPointerException, an IllegalStateException, a
 *       codec error wrapping one): logged at WARN with its stack trace, once per connection, and
 *       counted.
 * </ul>
 *
 * The log line names the handler and the channel (its id and addresses) and the exception; never a
 * message's headers or body, which may carry credentials.
 */
public final class HandlerErrors {
    private static final AttributeKey<Boolean> LOGGED =
            AttributeKey.valueOf(HandlerErrors.class, "logged");

    private HandlerErrors() {}

    /** True when {@code cause} is the peer's doing (a connection or input error), not a defect. */
    public static boolean peerCaused(Throwable cause) {
        Throwable root = cause;
        int depth = 0;
        for (Throwable t = cause; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof IOException) {
                return true;
            }
            root = t;
        }
        return root instanceof CodecException;
    }

    /**
     * Handles an exception that reached a handler's {@code exceptionCaught} unexpected: logs and
     * counts it unless the peer caused it (see the class comment). Does not close; the caller
     * closes what it owns.
     *
     * @param counter bumped once for every unexpected exception (the program's handler-error
     *     metric)
     * @return true when the exception was unexpected
     */
    public static boolean report(
            ChannelHandlerContext ctx, Throwable cause, Logger log, Runnable counter) {
        if (peerCaused(cause)) {
            return false;
        }
        counter.run();
        // Once per connection: one defect tends to repeat on every later read of the same
        // connection.
        if (ctx.channel().attr(LOGGED).setIfAbsent(Boolean.TRUE) == null) {
            log.warn(
                    "handler {} failed on {}; closing the connection",
                    ctx.name(),
                    ctx.channel(),
                    cause);
        }
        return true;
    }

    /**
     * {@link #report} and close the handler's channel: the whole {@code exceptionCaught} of most
     * handlers.
     */
    public static void closeOn(
            ChannelHandlerContext ctx, Throwable cause, Logger log, Runnable counter) {
        report(ctx, cause, log, counter);
        ctx.close();
    }
}
