package io.realmgate.realm.tls;

import io.netty.handler.ssl.SslContext;

/** Where the wss listener takes its TLS context from, one new connection at a time. */
public interface CertificateSource extends AutoCloseable {
    /**
     * The context for the next connection; connections already open keep the one they started with.
     */
    SslContext current();

    @Override
    default void close() {}
}
