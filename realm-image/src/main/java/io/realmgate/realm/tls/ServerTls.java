package io.realmgate.realm.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/** TLS settings every server context of the realm shares. */
final class ServerTls {
    private ServerTls() {
    }

    static SslContextBuilder builder(SslContextBuilder b) {
        // The JDK provider: its contexts are not reference-counted, so swapping one on reload needs
        // no release while connections still use it. HTTP/1.1 only (WebSocket over h2 is not offered).
        return b.sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_1_1));
    }
}
