package io.realmgate.proxy.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.realmgate.proxy.config.ProxyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS context of a listener, rebuilt when its certificate or key file changes (the operator
 * rotates them in a mounted Secret). New connections get the new certificate; established ones
 * keep the context they started with, so nothing is dropped. A broken new pair is logged and the
 * old context stays.
 */
public final class ReloadingServerTls implements Supplier<SslContext> {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingServerTls.class);

    private final ProxyConfig.TlsFiles files;
    private volatile SslContext current;
    private FileTime certTime;
    private FileTime keyTime;

    public ReloadingServerTls(ProxyConfig.TlsFiles files) throws IOException {
        this.files = files;
        this.certTime = Files.getLastModifiedTime(files.certificate());
        this.keyTime = Files.getLastModifiedTime(files.privateKey());
        this.current = build();
    }

    @Override
    public SslContext get() {
        return current;
    }

    /** Called periodically; cheap when nothing changed. */
    public void checkForChanges() {
        try {
            FileTime c = Files.getLastModifiedTime(files.certificate());
            FileTime k = Files.getLastModifiedTime(files.privateKey());
            if (Objects.equals(c, certTime) && Objects.equals(k, keyTime)) {
                return;
            }
            SslContext next = build();
            certTime = c;
            keyTime = k;
            current = next;
            LOG.info("TLS certificate reloaded from {}", files.certificate());
        } catch (IOException | RuntimeException e) {
            // Keep serving with the old pair; a half-written rotation is retried on the next check.
            LOG.warn("TLS certificate not reloaded, keeping the previous one: {}", e.getMessage());
        }
    }

    private SslContext build() throws SSLException {
        try {
            return SslContextBuilder.forServer(files.certificate().toFile(), files.privateKey().toFile()).build();
        } catch (IllegalArgumentException e) {
            throw new SSLException("cannot load " + files.certificate() + " / " + files.privateKey() + ": " + e.getMessage(), e);
        }
    }
}
