package io.realmgate.realm.tls;

import io.netty.handler.ssl.SslContext;
import java.time.Instant;

/** Where the wss listener takes its TLS context from, one new connection at a time. */
public interface CertificateSource extends AutoCloseable {
    /**
     * The context for the next connection; connections already open keep the one they started with.
     */
    SslContext current();

    /**
     * When the certificate {@link #current()} serves (the chain's first) expires: the realm's
     * {@code realmgate_realm_certificate_expiry_timestamp_seconds}, so an alert sees a certificate
     * that stopped being renewed before clients do.
     */
    Instant notAfter();

    @Override
    default void close() {}
}
