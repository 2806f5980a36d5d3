package io.realmgate.realm.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/** TLS settings every server context of the realm shares. */
public final class ServerTls {
    /**
     * The JDK's switch for refusing a TLS 1.2 renegotiation that the client starts (it allows them
     * by default).
     */
    public static final String REJECT_CLIENT_RENEGOTIATION =
            "jdk.tls.rejectClientInitiatedRenegotiation";

    static {
        // Before the first context is built, so before the first server handshake of the process:
        // the JDK
        // reads the property once, into a static final, when its server handshake code is first
        // loaded.
        refuseClientRenegotiation();
    }

    private ServerTls() {}

    /**
     * Refuses client-initiated TLS 1.2 renegotiation (a fatal {@code handshake_failure} alert): a
     * client may otherwise make the server redo the expensive half of a handshake on one connection
     * as often as it likes. TLS 1.3 has no renegotiation. Called first thing in {@code RealmMain},
     * and again (harmlessly) here when the realm is embedded; the image also passes the property on
     * the JVM command line.
     */
    public static void refuseClientRenegotiation() {
        System.setProperty(REJECT_CLIENT_RENEGOTIATION, "true");
    }

    static SslContextBuilder builder(SslContextBuilder b) {
        // The JDK provider: its contexts are not reference-counted, so swapping one on reload needs
        // no release while connections still use it. HTTP/1.1 only (WebSocket over h2 is not
        // offered).
        return b.sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .applicationProtocolConfig(
                        new ApplicationProtocolConfig(
                                ApplicationProtocolConfig.Protocol.ALPN,
                                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                                ApplicationProtocolNames.HTTP_1_1));
    }
}
