package io.realmgate.realm.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.AttributeKey;
import io.realmgate.realm.ops.RealmMetrics;
import io.realmgate.realm.ops.RealmMetrics.TlsFailure;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right behind the {@link SslHandler}: counts a connection whose TLS handshake failed, once, by
 * reason ({@code realmgate_realm_tls_handshake_failures_total}), and closes it quietly. A TLS
 * failure is the client's doing (garbage, a scanner, a client that gave up or does not trust the
 * certificate): it is worth a counter and a DEBUG line, not a stack trace. After the handshake, an
 * {@link SSLHandshakeException} can only come from a second handshake the client started
 * (renegotiation), which the JDK refuses: counted as such.
 */
public final class HandshakeOutcome extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeOutcome.class);

    /**
     * Set by a handler that ended the handshake itself, so that the failure that follows is counted
     * as that.
     */
    private static final AttributeKey<TlsFailure> ENDED_AS =
            AttributeKey.valueOf("realmgate.tls-ended-as");

    private final RealmMetrics metrics;
    private boolean counted;

    public HandshakeOutcome(RealmMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Ends a connection whose handshake has not completed; its failure is counted as {@code why}.
     */
    public static void end(Channel ch, TlsFailure why) {
        ch.attr(ENDED_AS).setIfAbsent(why);
        ch.close();
    }

    /**
     * Marks the connection's coming handshake failure as {@code why}, for a handler that closes it
     * itself.
     */
    static void endingAs(Channel ch, TlsFailure why) {
        ch.attr(ENDED_AS).setIfAbsent(why);
    }

    /** Whether the connection is TLS and its handshake has not completed yet. */
    public static boolean handshakePending(Channel ch) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        return ssl != null && !ssl.handshakeFuture().isDone();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            count(ctx, reason(ctx.channel(), done.cause()));
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static TlsFailure reason(Channel ch, Throwable cause) {
        TlsFailure marked = ch.attr(ENDED_AS).get();
        if (marked != null) {
            return marked;
        }
        if (cause instanceof SslHandshakeTimeoutException) {
            return TlsFailure.TIMEOUT;
        }
        if (cause instanceof NotSslRecordException) {
            return TlsFailure.NOT_TLS;
        }
        // The SslHandler fails a pending handshake when the connection goes inactive: the client
        // left.
        return ch.isActive() ? TlsFailure.OTHER : TlsFailure.CLOSED;
    }

    private void count(ChannelHandlerContext ctx, TlsFailure why) {
        if (counted) {
            return;
        }
        counted = true;
        metrics.tlsHandshakeFailed(why);
        // The exception's message is not logged: Netty's names the client's bytes.
        LOG.debug(
                "wss connection from {}: TLS handshake failed ({})",
                ctx.channel().remoteAddress(),
                why.name());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls =
                cause instanceof DecoderException && cause.getCause() != null
                        ? cause.getCause()
                        : cause;
        if (!(tls instanceof SSLException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl != null
                && ssl.handshakeFuture().isSuccess()
                && tls instanceof SSLHandshakeException) {
            // The JDK sent its handshake_failure alert (jdk.tls.rejectClientInitiatedRenegotiation,
            // ServerTls).
            count(ctx, TlsFailure.RENEGOTIATION);
        }
        // Before the handshake the failure was counted when the SslHandler reported it; after it, a
        // broken
        // record leaves nothing to answer. Either way the connection ends here, without a stack
        // trace.
        ctx.close();
    }
}
