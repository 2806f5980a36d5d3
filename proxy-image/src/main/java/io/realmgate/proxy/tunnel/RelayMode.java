package io.realmgate.proxy.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.realmgate.proxy.Transport;

/**
 * How a tunnel moves its bytes, which follows from the transport. On epoll, {@link #SPLICE}: socket to
 * pipe to socket inside the kernel with {@code splice(2)} ({@link SpliceTunnel}). On NIO, {@link #COPY}:
 * reads into pooled buffers of up to 1 MiB and writes them out ({@link TunnelRelay}).
 *
 * <p>There is deliberately no copying relay on epoll: with Netty 4.2.18's epoll channels, a copying
 * tunnel that half-closes while both directions are busy loses part of the reply (4 concurrent 64 MiB
 * echo tunnels: 3 of 16 short; one 256 MiB echo tunnel beside a CPU hog: 14 of 40 short), where the
 * same relay on NIO and the splice relay on epoll lost nothing (docs/decisions.md). So a proxy whose
 * listener terminates TLS, which must copy to decrypt, runs on NIO.
 */
public enum RelayMode {
    COPY, SPLICE;

    public static RelayMode of(Transport transport) {
        return transport == Transport.EPOLL ? SPLICE : COPY;
    }

    /** Splicing needs both legs on epoll and the client's bytes unencrypted by us. */
    public boolean splices(Channel client, Channel upstream, boolean clientTls) {
        return this == SPLICE && !clientTls
                && client instanceof EpollSocketChannel && upstream instanceof EpollSocketChannel;
    }
}
