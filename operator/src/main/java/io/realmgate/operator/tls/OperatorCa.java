package io.realmgate.operator.tls;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.realmgate.operator.OperatorSettings;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's CA, kept in the Secret {@code settings.caSecretName()} of {@code
 * settings.operatorNamespace()} (see {@link CaSecret} for its keys), and the {@link
 * CertificateIssuer} built on it.
 *
 * <ul>
 *   <li>Missing Secret: a new CA is created. Two operators racing both try to create it; the one
 *       that gets 409 Conflict reads the winner's CA and uses it.
 *   <li>Rotation in two steps ({@link CaSchedule}): a new CA joins the bundle first (less than
 *       {@code renewBefore + caRotationOverlap} left on the CA, or the Secret's {@link
 *       CaSecret#ROTATE_ANNOTATION}); it signs only after the overlap, when the certificates of the
 *       old CA are reissued; the old CA leaves the bundle once nothing it signed can be valid.
 *   <li>Updates are conditional on the resourceVersion read; on 409 the Secret is read again.
 *   <li>What was read is cached and read again after {@link #REREAD_AFTER} (another operator
 *       instance may have rotated it, or someone deleted it); if the API server is unreachable
 *       then, a cached CA that is not due keeps serving. Thread-safe: reconcilers call it
 *       concurrently.
 * </ul>
 *
 * Times: the CA's life is judged by the clock given here; server certificates by the {@code now}
 * the caller passes. Key material is never logged.
 */
public class OperatorCa implements CertificateIssuer {
    static final Duration REREAD_AFTER = Duration.ofMinutes(1);
    private static final int WRITE_ATTEMPTS = 5;
    private static final Logger log = LoggerFactory.getLogger(OperatorCa.class);

    private final KubernetesClient client;
    private final OperatorSettings settings;
    private final Clock clock;
    private final RenewalPolicy policy;
    private final CaSchedule schedule;
    private final Object loading = new Object();
    private volatile Cached cached;

    private record Cached(CaState state, Instant readAt) {}

    public OperatorCa(KubernetesClient client, OperatorSettings settings, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
        this.policy = new RenewalPolicy(settings.renewBefore());
        this.schedule =
                new CaSchedule(
                        settings.renewBefore(),
                        settings.caRotationOverlap(),
                        settings.caValidity(),
                        settings.certificateValidity());
    }

    /**
     * {@inheritDoc}
     *
     * <p>When {@code existing} is still good the result carries its certificate and key unchanged,
     * with the current CA bundle.
     */
    @Override
    public IssuedCertificate certificateFor(
            List<String> dnsNames, Optional<IssuedCertificate> existing, Instant now) {
        CaState ca = state();
        String bundle = ca.bundlePem();
        if (existing.isPresent()) {
            Optional<String> why = whyRenew(existing.get(), dnsNames, ca, now);
            if (why.isEmpty()) {
                IssuedCertificate kept = existing.get();
                return new IssuedCertificate(
                        kept.certificatePem(),
                        kept.privateKeyPem(),
                        bundle,
                        kept.dnsNames(),
                        kept.notAfter());
            }
            log.info(
                    "Issuing a new certificate for {}: the current one must be replaced because {}",
                    dnsNames,
                    why.get());
        } else {
            log.info("Issuing a certificate for {}", dnsNames);
        }
        CertifiedKey issued =
                Certificates.issueServer(
                        ca.current(), dnsNames, now, settings.certificateValidity());
        return new IssuedCertificate(
                Pem.certificate(issued.certificate()),
                Pem.privateKey(issued.privateKey()),
                bundle,
                dnsNames,
                issued.notAfter());
    }

    @Override
    public String caBundle() {
        return state().bundlePem();
    }

    /**
     * The earliest of: the certificate falls due, the CA's next step (a new CA joins the bundles,
     * the next CA begins to sign and certificates are reissued, a previous CA leaves the bundles).
     */
    @Override
    public Instant nextRenewal(IssuedCertificate certificate) {
        CaState ca = state();
        Instant certificateDue = policy.renewAt(certificate.notAfter());
        Instant caStep = schedule.nextStep(ca);
        return certificateDue.isBefore(caStep) ? certificateDue : caStep;
    }

    /** Expiry of the current CA certificate (for the expiry metric). */
    public Instant caNotAfter() {
        return state().current().notAfter();
    }

    private void logStep(String secret, CaState read, CaState wanted, boolean requested) {
        if (wanted.current() != read.current()) {
            log.info(
                    "CA rotation in Secret {}: {} signs from now on; {} stays in the bundle until nothing it signed can be valid",
                    secret,
                    wanted.current(),
                    read.current());
        } else if (wanted.next().isPresent() && read.next().isEmpty()) {
            log.info(
                    "CA rotation in Secret {}{}: {} joins the bundle and signs after {}; {} signs until then",
                    secret,
                    requested ? " (requested by " + CaSecret.ROTATE_ANNOTATION + ")" : "",
                    wanted.next().get(),
                    settings.caRotationOverlap(),
                    wanted.current());
        } else if (wanted.previous().size() < read.previous().size()) {
            log.info("Removed retired CA certificates from the bundle in Secret {}", secret);
        } else if (requested) {
            log.info(
                    "CA rotation requested in Secret {} while one is under way; the request is dropped",
                    secret);
        }
    }

    private Optional<String> whyRenew(
            IssuedCertificate existing, List<String> dnsNames, CaState ca, Instant now) {
        X509Certificate certificate;
        PrivateKey key;
        try {
            certificate = Pem.readCertificate(existing.certificatePem());
            key = Pem.readPrivateKey(existing.privateKeyPem());
        } catch (IllegalArgumentException e) {
            return Optional.of("it cannot be read (" + e.getMessage() + ")");
        }
        return policy.whyRenew(certificate, key, dnsNames, ca, now);
    }

    /**
     * The CA state, from the cache while it is fresh and nothing is due, else from (and written to)
     * the Secret.
     */
    CaState state() {
        Instant now = clock.instant();
        Cached current = cached;
        if (fresh(current, now)) {
            return current.state();
        }
        synchronized (loading) {
            current = cached;
            if (fresh(current, now)) {
                return current.state();
            }
            CaState state;
            try {
                state = load(now, current);
            } catch (KubernetesClientException e) {
                if (current == null || !now.isBefore(schedule.nextStep(current.state()))) {
                    throw e;
                }
                log.warn(
                        "Cannot read CA Secret {}/{} ({}); keeping the cached CA",
                        settings.operatorNamespace(),
                        settings.caSecretName(),
                        e.getMessage());
                state = current.state();
            }
            cached = new Cached(state, now);
            return state;
        }
    }

    private boolean fresh(Cached c, Instant now) {
        return c != null
                && now.isBefore(c.readAt().plus(REREAD_AFTER))
                && now.isBefore(schedule.nextStep(c.state()));
    }

    private CaState load(Instant now, Cached previous) {
        String namespace = settings.operatorNamespace();
        String name = settings.caSecretName();
        var secrets = client.secrets().inNamespace(namespace);
        for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
            Secret stored = secrets.withName(name).get();
            try {
                if (stored == null) {
                    CaState created =
                            previous != null
                                    ? schedule.advance(previous.state(), now, false)
                                    : CaState.create(now, settings.caValidity());
                    secrets.resource(CaSecret.toSecret(namespace, name, created, null)).create();
                    log.info("Stored CA {} in Secret {}/{}", created.current(), namespace, name);
                    return created;
                }
                CaState read = CaSecret.fromSecret(stored);
                boolean requested = CaSecret.rotationRequested(stored);
                CaState wanted = schedule.advance(read, now, requested);
                if (wanted == read && !requested) {
                    return read;
                }
                secrets.resource(
                                CaSecret.toSecret(
                                        namespace,
                                        name,
                                        wanted,
                                        stored.getMetadata().getResourceVersion()))
                        .update();
                logStep(namespace + "/" + name, read, wanted, requested);
                return wanted;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
                // 409: another writer created or changed it; 404: deleted between our read and
                // update.
                log.debug(
                        "CA Secret {}/{} changed while it was written (attempt {}, HTTP {}); reading it again",
                        namespace,
                        name,
                        attempt,
                        e.getCode());
            }
        }
        throw new IllegalStateException(
                "CA Secret "
                        + namespace
                        + "/"
                        + name
                        + " kept changing while it was written ("
                        + WRITE_ATTEMPTS
                        + " attempts)");
    }
}
