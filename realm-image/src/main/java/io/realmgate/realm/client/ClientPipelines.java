package io.realmgate.realm.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.ssl.SslContext;
import java.net.URI;

/**
 * The client's pipeline, in one place:
 *
 * <pre>
 * [proxy (CONNECT)] - [tls] - http-codec - http-aggregator - ws-protocol - ws-aggregator - session
 * </pre>
 *
 * The proxy handler comes first: it holds back everything written after it (the TLS ClientHello,
 * the upgrade request) until the tunnel is open, so TLS runs end to end through the proxy.
 */
final class ClientPipelines {
    private ClientPipelines() {}

    static ChannelInitializer<Channel> initializer(
            RealmClient.Builder settings,
            SslContext ssl,
            URI uri,
            String host,
            int port,
            ClientSession session) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelPipeline p = ch.pipeline();
                if (settings.proxy != null) {
                    HttpProxyHandler proxy =
                            settings.proxyUser != null
                                    ? new HttpProxyHandler(
                                            settings.proxy,
                                            settings.proxyUser,
                                            settings.proxyPassword)
                                    : new HttpProxyHandler(settings.proxy);
                    proxy.setConnectTimeoutMillis(settings.connectTimeout.toMillis());
                    p.addLast("proxy", proxy);
                }
                if (ssl != null) {
                    p.addLast("tls", ssl.newHandler(ch.alloc(), host, port));
                }
                p.addLast("http-codec", new HttpClientCodec());
                p.addLast("http-aggregator", new HttpObjectAggregator(64 * 1024));
                p.addLast(
                        "ws-protocol",
                        new WebSocketClientProtocolHandler(
                                WebSocketClientProtocolConfig.newBuilder()
                                        .webSocketUri(uri)
                                        .version(WebSocketVersion.V13)
                                        .maxFramePayloadLength(settings.maxFrameBytes)
                                        .handleCloseFrames(
                                                false) // the session reads the close code
                                        .dropPongFrames(true)
                                        .handshakeTimeoutMillis(settings.connectTimeout.toMillis())
                                        .build()));
                p.addLast("ws-aggregator", new WebSocketFrameAggregator(settings.maxFrameBytes));
                p.addLast("session", session);
            }
        };
    }
}
