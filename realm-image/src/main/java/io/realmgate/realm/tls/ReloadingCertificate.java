package io.realmgate.realm.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PEM certificate and key from disk, reloaded when either file changes. Changes are found by
 * polling modification time, size and file key (device and inode), following symbolic links: a
 * Kubernetes Secret volume updates by writing a new timestamped directory and renaming its {@code
 * ..data} symbolic link over the old one, so {@code tls.crt} (a link into {@code ..data}) then
 * resolves to a new file with a new inode, a change even where time and size come out equal. A
 * half-written pair (certificate updated, key not yet) fails to load: the previous context stays in
 * use and the pair is tried again on every poll until it loads. Polling, not a file-watch service,
 * because watch events are unreliable on the network and overlay file systems containers run on,
 * and one {@code stat} a second is free.
 */
public final class ReloadingCertificate implements CertificateSource {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingCertificate.class);

    private final Path certFile;
    private final Path keyFile;
    private final Runnable onReload;
    private final ScheduledExecutorService poller;
    private volatile SslContext current;
    private volatile Instant notAfter;
    private Stamp loaded;
    private Stamp lastFailed;

    private record Stamp(
            long certTime,
            long certSize,
            Object certKey,
            long keyTime,
            long keySize,
            Object keyKey) {}

    /** Loads the pair now (failing if it cannot) and starts polling. */
    public ReloadingCertificate(Path certFile, Path keyFile, Duration poll, Runnable onReload)
            throws IOException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.onReload = onReload;
        this.loaded = stamp();
        this.current = load();
        this.poller =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "realm-cert-poll");
                            t.setDaemon(true);
                            return t;
                        });
        poller.scheduleWithFixedDelay(
                this::check, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public SslContext current() {
        return current;
    }

    private void check() {
        Stamp now;
        try {
            now = stamp();
        } catch (IOException e) {
            // Mid-rotation a file may be missing for a moment; the next poll sees the new one.
            return;
        }
        if (now.equals(loaded)) {
            return;
        }
        try {
            SslContext fresh = load();
            current = fresh;
            loaded = now;
            lastFailed = null;
            onReload.run();
            LOG.info(
                    "reloaded TLS certificate {} (new connections use it; open ones keep theirs)",
                    certFile);
        } catch (IOException | RuntimeException e) {
            if (!Objects.equals(now, lastFailed)) {
                LOG.warn(
                        "TLS certificate {} / key {} changed but does not load ({}); still serving the previous one",
                        certFile,
                        keyFile,
                        e.getMessage());
                lastFailed = now;
            }
        }
    }

    private Stamp stamp() throws IOException {
        BasicFileAttributes cert = Files.readAttributes(certFile, BasicFileAttributes.class);
        BasicFileAttributes key = Files.readAttributes(keyFile, BasicFileAttributes.class);
        return new Stamp(
                cert.lastModifiedTime().toMillis(),
                cert.size(),
                cert.fileKey(),
                key.lastModifiedTime().toMillis(),
                key.size(),
                key.fileKey());
    }

    @Override
    public Instant notAfter() {
        return notAfter;
    }

    /** Builds the context of the pair on disk; notAfter follows only once the context is built. */
    private SslContext load() throws IOException {
        PemPair pair = PemPair.read(certFile, keyFile);
        SslContext context =
                ServerTls.builder(SslContextBuilder.forServer(pair.key(), pair.chain())).build();
        notAfter = pair.chain()[0].getNotAfter().toInstant();
        return context;
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
