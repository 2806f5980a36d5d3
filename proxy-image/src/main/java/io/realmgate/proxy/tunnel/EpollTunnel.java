package io.realmgate.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.realmgate.common.HandlerErrors;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain tunnel on epoll, relayed on its raw sockets: the two channels are taken off Netty's
 * read/write machinery (deregistered) and their sockets registered with the same event loop as two
 * {@link Leg}s, edge-triggered for input, output and hang-up once, with no interest changes after.
 * Each event pumps the {@link DirectionPump}s that touch that socket: {@link CopyPump}s or {@link
 * SplicePump}s, as the {@link RelayMode} says.
 *
 * <p>Why not Netty's channels: on 4.2.18 a copying relay on epoll channels loses the end of a reply
 * when a busy tunnel half-closes, and Netty's own {@code spliceTo} ends at the peer's FIN with
 * bytes still queued (docs/decisions.md). Here the channels never see an epoll event during the
 * tunnel.
 *
 * <p>Half-close passes through (a FIN read on one side is written to the other once the pipe is
 * empty); the tunnel closes both channels when both directions have finished, on an I/O error, or
 * after the idle timeout with no byte moved either way. Everything runs on the one event loop both
 * channels belong to.
 */
public final class EpollTunnel {
    private static final Logger LOG = LoggerFactory.getLogger(EpollTunnel.class);
    private static final EpollIoOps INTEREST =
            EpollIoOps.EPOLLIN
                    .with(EpollIoOps.EPOLLOUT)
                    .with(EpollIoOps.EPOLLRDHUP)
                    .with(EpollIoOps.EPOLLET);
    private static final String HAND_OFF = "epoll-hand-off";

    private final Channel client;
    private final Channel upstream;
    private final IoEventLoop loop;
    private final DirectionPump up;
    private final DirectionPump down;
    private final Leg clientLeg;
    private final Leg upstreamLeg;
    private final TunnelStats stats;
    private final RelayMode mode;
    private final long idleNanos;
    private long lastActivity = System.nanoTime();
    private ScheduledFuture<?> idleCheck;
    private boolean pumpScheduled;
    private boolean closed;

    private EpollTunnel(
            Channel client,
            Channel upstream,
            ArrayDeque<ByteBuf> upHead,
            ArrayDeque<ByteBuf> downHead,
            TunnelStats stats,
            Duration idleTimeout,
            RelayMode mode) {
        this.client = client;
        this.upstream = upstream;
        this.loop = (IoEventLoop) client.eventLoop();
        Socket clientSocket = (Socket) ((UnixChannel) client).fd();
        Socket upstreamSocket = (Socket) ((UnixChannel) upstream).fd();
        this.mode = mode;
        this.up =
                mode == RelayMode.SPLICE
                        ? new SplicePump(clientSocket, upstreamSocket, upHead, true, stats)
                        : new CopyPump(
                                clientSocket, upstreamSocket, upHead, true, stats, client.alloc());
        this.down =
                mode == RelayMode.SPLICE
                        ? new SplicePump(upstreamSocket, clientSocket, downHead, false, stats)
                        : new CopyPump(
                                upstreamSocket,
                                clientSocket,
                                downHead,
                                false,
                                stats,
                                client.alloc());
        this.clientLeg = new Leg(clientSocket, up, down);
        this.upstreamLeg = new Leg(upstreamSocket, down, up);
        this.stats = stats;
        this.idleNanos = idleTimeout.toNanos();
    }

    /**
     * Hands a freshly connected tunnel over to splicing. The caller has already removed every
     * handler that would act on the client's bytes or time (HTTP, idle); both channels have {@code
     * autoRead} off and sit on the same event loop.
     *
     * @param upHead bytes for the target that are already in user space (sent first)
     * @param downHead bytes for the client, e.g. the CONNECT answer (sent first)
     */
    public static void handOff(
            Channel client,
            Channel upstream,
            ArrayDeque<ByteBuf> upHead,
            ArrayDeque<ByteBuf> downHead,
            TunnelStats stats,
            Duration idleTimeout,
            RelayMode mode) {
        client.closeFuture().addListener(f -> stats.legClosed());
        upstream.closeFuture().addListener(f -> stats.legClosed());
        // Until the channels are off epoll, Netty may still read (a FIN makes it drain the socket
        // even with autoRead off); whatever it reads is kept and sent ahead of the spliced bytes.
        Catcher fromClient = new Catcher(upHead, client, upstream, stats, true);
        Catcher fromUpstream = new Catcher(downHead, upstream, client, stats, false);
        client.pipeline().addLast(HAND_OFF, fromClient);
        upstream.pipeline().addLast(HAND_OFF, fromUpstream);
        ChannelFuture a = client.deregister();
        ChannelFuture b = upstream.deregister();
        a.addListener(
                x ->
                        b.addListener(
                                y -> {
                                    if (!a.isSuccess()
                                            || !b.isSuccess()
                                            || fromClient.failed
                                            || fromUpstream.failed
                                            || !client.isOpen()
                                            || !upstream.isOpen()) {
                                        release(upHead);
                                        release(downHead);
                                        client.close();
                                        upstream.close();
                                        return;
                                    }
                                    direct(upHead, client);
                                    direct(downHead, client);
                                    new EpollTunnel(
                                                    client,
                                                    upstream,
                                                    upHead,
                                                    downHead,
                                                    stats,
                                                    idleTimeout,
                                                    mode)
                                            .start();
                                }));
    }

    private void start() {
        Future<IoRegistration> c = loop.register(clientLeg);
        Future<IoRegistration> u = loop.register(upstreamLeg);
        c.addListener(
                x ->
                        u.addListener(
                                y -> {
                                    if (!c.isSuccess() || !u.isSuccess()) {
                                        close();
                                        return;
                                    }
                                    try {
                                        clientLeg.registered(c.getNow());
                                        upstreamLeg.registered(u.getNow());
                                    } catch (Exception e) {
                                        close();
                                        return;
                                    }
                                    stats.relayedBy(mode);
                                    if (idleNanos > 0) {
                                        idleCheck =
                                                loop.schedule(
                                                        this::checkIdle,
                                                        idleNanos,
                                                        TimeUnit.NANOSECONDS);
                                    }
                                    pump(up);
                                    pump(down);
                                }));
    }

    private void pump(DirectionPump direction) {
        if (closed) {
            return;
        }
        try {
            DirectionPump.Progress p = direction.pump();
            if (p == DirectionPump.Progress.YIELDED && !pumpScheduled) {
                pumpScheduled = true;
                loop.execute(this::pumpAgain);
            }
        } catch (IOException | RuntimeException e) {
            // A reset or a write to a closed peer: half a byte stream cannot go on. Nothing may
            // escape
            // to the event loop, which would log it and pause for a second.
            close();
            return;
        }
        lastActivity = System.nanoTime();
        if (up.finished() && down.finished()) {
            close();
        }
    }

    private void pumpAgain() {
        pumpScheduled = false;
        pump(up);
        pump(down);
    }

    private void checkIdle() {
        if (closed) {
            return;
        }
        long quiet = System.nanoTime() - lastActivity;
        if (quiet >= idleNanos) {
            close();
        } else {
            idleCheck = loop.schedule(this::checkIdle, idleNanos - quiet, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Takes both sockets off epoll before their channels close them, so no event finds a reused fd.
     */
    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        clientLeg.cancel();
        upstreamLeg.cancel();
        up.release();
        down.release();
        // The sockets close in a task, after the event loop has handled the rest of this batch of
        // epoll events: a later event in the batch may still name one of these descriptors, and if
        // it
        // were closed now, a socket opened meanwhile (a new tunnel's upstream) could get the same
        // number and receive that stale event (seen as 1 in 20,000 upstream connects failing).
        loop.execute(
                () -> {
                    client.close();
                    upstream.close();
                });
    }

    private static void release(ArrayDeque<ByteBuf> bufs) {
        for (ByteBuf b; (b = bufs.poll()) != null; ) {
            b.release();
        }
    }

    /** Head bytes are written straight from their memory address, so they must be off-heap. */
    private static void direct(ArrayDeque<ByteBuf> bufs, Channel ch) {
        for (int i = bufs.size(); i > 0; i--) {
            ByteBuf b = bufs.poll();
            if (b.hasMemoryAddress()) {
                bufs.add(b);
            } else {
                ByteBuf d = ch.alloc().directBuffer(b.readableBytes()).writeBytes(b);
                b.release();
                bufs.add(d);
            }
        }
    }

    /**
     * One socket of the tunnel as epoll sees it: input feeds one direction, output drains the
     * other.
     */
    private final class Leg implements EpollIoHandle {
        private final Socket socket;
        private final DirectionPump from;
        private final DirectionPump to;
        private IoRegistration registration;

        Leg(Socket socket, DirectionPump from, DirectionPump to) {
            this.socket = socket;
            this.from = from;
            this.to = to;
        }

        void registered(IoRegistration r) throws Exception {
            registration = r;
            r.submit(INTEREST);
        }

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration r, IoEvent event) {
            EpollIoOps ops = ((EpollIoEvent) event).ops();
            boolean hangUp = ops.contains(EpollIoOps.EPOLLRDHUP) || (ops.value() & HUP) != 0;
            boolean error = ops.contains(EpollIoOps.EPOLLERR);
            if (hangUp) {
                from.sourceHungUp();
            }
            if (hangUp || error || ops.contains(EpollIoOps.EPOLLIN)) {
                pump(from);
            }
            if (hangUp || error || ops.contains(EpollIoOps.EPOLLOUT)) {
                pump(to);
            }
        }

        void cancel() {
            if (registration != null) {
                try {
                    registration.cancel();
                } catch (Exception ignored) {
                    // the socket is closed right after; the kernel drops it from epoll then
                }
            }
        }

        @Override
        public void close() {
            // The event loop is shutting down.
            EpollTunnel.this.close();
        }
    }

    /**
     * EPOLLHUP (both directions down, always reported); Netty's EpollIoOps has no constant for it.
     */
    private static final int HUP = 0x10;

    /** Keeps what a channel reads during the hand-off, for the direction it belongs to. */
    private static final class Catcher extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<ByteBuf> into;
        private final Channel self;
        private final Channel peer;
        private final TunnelStats stats;
        private final boolean upstreamBound;
        boolean failed;

        Catcher(
                ArrayDeque<ByteBuf> into,
                Channel self,
                Channel peer,
                TunnelStats stats,
                boolean upstreamBound) {
            this.into = into;
            this.self = self;
            this.peer = peer;
            this.stats = stats;
            this.upstreamBound = upstreamBound;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                if (upstreamBound) {
                    stats.bytesUp += b.readableBytes();
                } else {
                    stats.bytesDown += b.readableBytes();
                }
                into.add(b);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed = true;
            HandlerErrors.report(ctx, cause, LOG, stats.metrics()::handlerError);
            self.close();
            peer.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            ReferenceCountUtil.release(
                    evt); // the input shutdown is seen again by epoll on the socket
        }
    }
}
