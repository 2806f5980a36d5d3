package io.realmgate.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The transparent listener's pipeline: {@code limiter - idle - idle-closer - sni-router}, which
 * becomes {@code limiter - idle - idle-closer - relay} once the target is connected.
 */
public final class TransparentPipelines {
    private TransparentPipelines() {}

    public static ChannelInitializer<Channel> client(
            Supplier<ProxyFrontendSettings> settings, ChannelHandler limiter, int targetPort) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ProxyFrontendSettings s = settings.get();
                ch.pipeline()
                        .addLast("limiter", limiter)
                        .addLast(
                                ProxyPipelines.IDLE,
                                new IdleStateHandler(
                                        0, 0, s.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        .addLast(ProxyPipelines.IDLE_CLOSER, IdleCloser.INSTANCE)
                        .addLast("sni-router", new SniRouter(settings, targetPort));
            }
        };
    }
}
