package io.realmgate.common;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The helper's rules on an {@link EmbeddedChannel}: what is logged and counted depends only on the
 * exception and the channel's attribute, not on a socket; the proxy's and the realm's tests inject
 * into their real pipelines.
 */
class HandlerErrorsTest {
    private final Logger log = (Logger) LoggerFactory.getLogger("handler-errors-test");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final AtomicInteger counted = new AtomicInteger();

    @BeforeEach
    void capture() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void release() {
        log.detachAppender(logged);
    }

    private final class Failing extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            HandlerErrors.closeOn(ctx, cause, log, counted::incrementAndGet);
        }
    }

    @Test
    void peerErrorsAreQuiet() {
        assertThat(HandlerErrors.peerCaused(new IOException("Connection reset by peer"))).isTrue();
        assertThat(HandlerErrors.peerCaused(new SocketException("Broken pipe"))).isTrue();
        assertThat(HandlerErrors.peerCaused(new ClosedChannelException())).isTrue();
        assertThat(
                        HandlerErrors.peerCaused(
                                new DecoderException(new SSLHandshakeException("bad hello"))))
                .isTrue();
        assertThat(HandlerErrors.peerCaused(new TooLongFrameException("frame too long"))).isTrue();
        assertThat(HandlerErrors.peerCaused(new CorruptedFrameException("bad frame"))).isTrue();
    }

    @Test
    void defectsAreNot() {
        assertThat(HandlerErrors.peerCaused(new NullPointerException())).isFalse();
        assertThat(HandlerErrors.peerCaused(new IllegalStateException("bug"))).isFalse();
        assertThat(HandlerErrors.peerCaused(new DecoderException(new NullPointerException())))
                .isFalse();
    }

    /** Reports without closing, so that a second exception reaches it on the same connection. */
    private final class Reporting extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            HandlerErrors.report(ctx, cause, log, counted::incrementAndGet);
        }
    }

    @Test
    void aDefectClosesTheChannel() {
        EmbeddedChannel ch = new EmbeddedChannel(new Failing());
        ch.pipeline().fireExceptionCaught(new NullPointerException("bug"));
        assertThat(ch.isOpen()).isFalse();
        assertThat(counted).hasValue(1);
        assertThat(logged.list).hasSize(1);
    }

    @Test
    void aDefectIsLoggedOncePerConnectionAndCountedEachTime() {
        EmbeddedChannel ch = new EmbeddedChannel(new Reporting());
        ch.pipeline().fireExceptionCaught(new NullPointerException("first"));
        ch.pipeline().fireExceptionCaught(new IllegalStateException("second"));

        assertThat(counted).hasValue(2);
        assertThat(logged.list).hasSize(1);
        ILoggingEvent event = logged.list.get(0);
        assertThat(event.getLevel()).isEqualTo(Level.WARN);
        assertThat(event.getThrowableProxy().getClassName())
                .isEqualTo(NullPointerException.class.getName());
        assertThat(event.getFormattedMessage())
                .contains("failed on")
                .contains("closing the connection");

        EmbeddedChannel other = new EmbeddedChannel(new Reporting());
        other.pipeline().fireExceptionCaught(new IllegalStateException("on another connection"));
        assertThat(logged.list).hasSize(2);
        assertThat(counted).hasValue(3);
    }

    @Test
    void aResetClosesWithoutALineOrACount() {
        EmbeddedChannel ch = new EmbeddedChannel(new Failing());
        ch.pipeline().fireExceptionCaught(new SocketException("Connection reset"));
        assertThat(ch.isOpen()).isFalse();
        assertThat(counted).hasValue(0);
        assertThat(logged.list).isEmpty();
    }
}
