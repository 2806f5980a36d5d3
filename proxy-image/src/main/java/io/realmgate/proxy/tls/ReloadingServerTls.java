package io.realmgate.proxy.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.realmgate.proxy.config.FileStamp;
import io.realmgate.proxy.config.ProxyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS context of a listener, rebuilt when its certificate or key file changes (the operator
 * rotates them in a mounted Secret). New connections get the new certificate; established ones keep
 * the context they started with, so nothing is dropped. A broken new pair is logged and the old
 * context stays.
 */
public final class ReloadingServerTls implements Supplier<SslContext> {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingServerTls.class);

    private final ProxyConfig.TlsFiles files;
    private volatile SslContext current;
    private volatile Instant notAfter;
    private List<Optional<FileStamp>> loaded;

    public ReloadingServerTls(ProxyConfig.TlsFiles files) throws IOException {
        this.files = files;
        this.loaded = stamps();
        this.current = build();
        this.notAfter = leafNotAfter();
    }

    /**
     * When the certificate served to new connections (the file's first) expires: the proxy's {@code
     * realmgate_proxy_certificate_expiry_timestamp_seconds}.
     */
    public Instant notAfter() {
        return notAfter;
    }

    @Override
    public SslContext get() {
        return current;
    }

    /**
     * Called periodically; cheap when nothing changed (two {@code stat}s through the symbolic links
     * a Kubernetes Secret volume has, see {@link FileStamp}).
     */
    public void checkForChanges() {
        try {
            List<Optional<FileStamp>> now = stamps();
            if (now.equals(loaded) || now.stream().anyMatch(Optional::isEmpty)) {
                return; // unchanged, or a file is missing for a moment mid-swap
            }
            SslContext next = build();
            Instant expiry = leafNotAfter();
            loaded = now;
            current = next;
            notAfter = expiry;
            LOG.info("TLS certificate reloaded from {}", files.certificate());
        } catch (IOException | RuntimeException e) {
            // Keep serving with the old pair; a half-written rotation is retried on the next check.
            LOG.warn("TLS certificate not reloaded, keeping the previous one: {}", e.getMessage());
        }
    }

    private List<Optional<FileStamp>> stamps() {
        return List.of(FileStamp.of(files.certificate()), FileStamp.of(files.privateKey()));
    }

    /** Read after the pair built into a context, so it is the certificate just loaded. */
    private Instant leafNotAfter() throws IOException {
        try (InputStream in = Files.newInputStream(files.certificate())) {
            X509Certificate leaf =
                    (X509Certificate)
                            CertificateFactory.getInstance("X.509").generateCertificate(in);
            return leaf.getNotAfter().toInstant();
        } catch (CertificateException e) {
            throw new IOException("cannot read " + files.certificate() + ": " + e.getMessage(), e);
        }
    }

    private SslContext build() throws SSLException {
        try {
            return SslContextBuilder.forServer(
                            files.certificate().toFile(), files.privateKey().toFile())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new SSLException(
                    "cannot load "
                            + files.certificate()
                            + " / "
                            + files.privateKey()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }
}
