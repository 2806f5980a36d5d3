package io.realmgate.common;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;
import java.util.Map;

/**
 * Netty's transport for the proxy and the realm: native epoll where the platform has it (fewer
 * copies, fewer wake-ups), Java NIO otherwise. One switch for both programs, the environment
 * variable {@value #ENVIRONMENT}: {@code auto} (or unset, or empty) and {@code epoll} take epoll
 * where it is available and NIO elsewhere; {@code nio} forces NIO. Any other value is refused with
 * a message naming the variable.
 */
public enum Transport {
    EPOLL,
    NIO;

    public static final String ENVIRONMENT = "REALMGATE_TRANSPORT";

    /** The transport the process environment asks for. */
    public static Transport fromEnvironment() throws InvalidSetting {
        return select(System.getenv());
    }

    /** The transport {@value #ENVIRONMENT} in {@code environment} asks for. */
    public static Transport select(Map<String, String> environment) throws InvalidSetting {
        String wanted = environment.getOrDefault(ENVIRONMENT, "").strip().toLowerCase(Locale.ROOT);
        return switch (wanted) {
            case "", "auto", "epoll" -> Epoll.isAvailable() ? EPOLL : NIO;
            case "nio" -> NIO;
            default ->
                    throw new InvalidSetting(
                            ENVIRONMENT
                                    + ": '"
                                    + environment.get(ENVIRONMENT)
                                    + "' is not a transport (auto, epoll or nio)");
        };
    }

    public EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory io =
                this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends Channel> channel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
