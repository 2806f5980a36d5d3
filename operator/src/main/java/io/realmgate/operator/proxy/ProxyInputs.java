package io.realmgate.operator.proxy;

import io.fabric8.kubernetes.api.model.Secret;
import io.realmgate.operator.OperatorSettings;
import io.realmgate.operator.api.ForwardProxy;
import io.realmgate.operator.api.ForwardProxySpec;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.api.TargetSpec;
import io.realmgate.operator.tls.CertificateIssuer;
import io.realmgate.operator.tls.IssuedCertificate;
import io.realmgate.operator.tls.TlsSecrets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one reconcile of a ForwardProxy reads from the cluster, gathered once before the dependents
 * run: the realms it names, its users Secret, the certificate its TLS listener serves (issued, or
 * the user's own), and what is missing. The dependents' {@code desired()} all build from the same
 * {@link ProxyModel}.
 *
 * @param model the desired children
 * @param referenceProblems missing or unusable Secrets (realm problems are in the model's)
 * @param certificateCondition the CertificateReady condition when TLS is on
 */
record ProxyInputs(
        ProxyModel model,
        List<Problem> referenceProblems,
        Optional<ConditionValue> certificateCondition) {

    ProxyInputs {
        referenceProblems = List.copyOf(referenceProblems);
    }

    /** A condition's status, reason and message. */
    record ConditionValue(boolean status, String reason, String message) {}

    /**
     * Where the cluster's objects come from: the reconciler's informer caches, or a test's maps.
     */
    interface Lookup {
        /** A Realm of the proxy's namespace. */
        Optional<Realm> realm(String name);

        /**
         * A Secret of the proxy's namespace that the proxy references (users, or the user's TLS
         * Secret).
         */
        Optional<Secret> secret(String name);

        /** The TLS Secret the operator issued for this proxy earlier, if any. */
        Optional<Secret> issuedTlsSecret();

        /**
         * Why the operator may not use the Secrets of the proxy's namespace (it has not granted
         * them); empty when it may.
         */
        default Optional<String> secretAccessDenied() {
            return Optional.empty();
        }
    }

    /**
     * Everything that keeps the proxy from being Ready, in a fixed order: spec, Secrets, targets.
     */
    List<Problem> problems() {
        List<Problem> all = new ArrayList<>();
        model.problems().stream()
                .filter(p -> p.reason().equals(Problem.PORT_CONFLICT))
                .forEach(all::add);
        all.addAll(referenceProblems);
        model.problems().stream()
                .filter(p -> !p.reason().equals(Problem.PORT_CONFLICT))
                .forEach(all::add);
        return all;
    }

    static ProxyInputs gather(
            ForwardProxy proxy,
            OperatorSettings settings,
            CertificateIssuer issuer,
            Instant now,
            Lookup lookup) {
        ForwardProxySpec spec = ProxyConfigFile.spec(proxy);
        List<Problem> problems = new ArrayList<>();

        Map<String, Realm> realms = new TreeMap<>();
        for (TargetSpec target :
                spec.allowConnect == null ? List.<TargetSpec>of() : spec.allowConnect) {
            if (target != null && target.realm != null) {
                lookup.realm(target.realm).ifPresent(r -> realms.put(target.realm, r));
            }
        }

        boolean usersFile = spec.auth != null && spec.auth.basicSecretRef != null;
        boolean tls = spec.tls != null && spec.tls.on();
        // Without the namespace's grant no Secret is read or issued; the pods wait for the Secrets
        // they mount.
        Optional<String> denied = usersFile || tls ? lookup.secretAccessDenied() : Optional.empty();
        denied.ifPresent(
                message -> problems.add(new Problem(Problem.SECRET_ACCESS_NOT_GRANTED, message)));
        if (usersFile && denied.isEmpty()) {
            checkUsers(spec, lookup, problems);
        }

        Optional<IssuedCertificate> certificate = Optional.empty();
        Optional<ConditionValue> certificateCondition = Optional.empty();
        if (tls && denied.isPresent()) {
            certificateCondition =
                    Optional.of(
                            new ConditionValue(
                                    false, Problem.SECRET_ACCESS_NOT_GRANTED, denied.get()));
        } else if (tls) {
            if (ProxyModel.issuesCertificate(proxy)) {
                List<String> names =
                        ProxyModel.certificateDnsNames(proxy, settings.clusterDomain());
                // An earlier Secret that cannot be read is as good as none: the issuer replaces it.
                Optional<IssuedCertificate> existing =
                        lookup.issuedTlsSecret().flatMap(TlsSecrets::read);
                IssuedCertificate issued = issuer.certificateFor(names, existing, now);
                certificate = Optional.of(issued);
                certificateCondition =
                        Optional.of(
                                new ConditionValue(
                                        true,
                                        "Issued",
                                        "certificate for "
                                                + String.join(", ", issued.dnsNames())
                                                + " valid until "
                                                + issued.notAfter()));
            } else {
                String name = spec.tls.secretName;
                Optional<IssuedCertificate> own = ownCertificate(name, lookup, now, problems);
                certificate = own;
                certificateCondition =
                        Optional.of(
                                own.isPresent()
                                        ? new ConditionValue(
                                                true,
                                                "Provided",
                                                "certificate from Secret '"
                                                        + name
                                                        + "' valid until "
                                                        + own.get().notAfter())
                                        : new ConditionValue(
                                                false,
                                                problems.get(problems.size() - 1).reason(),
                                                problems.get(problems.size() - 1).message()));
            }
        }

        ProxyModel model = new ProxyModel(proxy, settings, realms, certificate);
        return new ProxyInputs(model, problems, certificateCondition);
    }

    /**
     * The users Secret and its key must exist; the running proxy reloads the file when its content
     * changes.
     */
    private static void checkUsers(ForwardProxySpec spec, Lookup lookup, List<Problem> problems) {
        String name = spec.auth.basicSecretRef.name;
        String key = ProxyConfigFile.usersKey(spec);
        Optional<Secret> secret = lookup.secret(name);
        if (secret.isEmpty()) {
            problems.add(
                    new Problem(
                            Problem.AUTH_SECRET_NOT_FOUND,
                            "Secret '" + name + "' (spec.auth.basicSecretRef) not found"));
            return;
        }
        Map<String, String> data =
                secret.get().getData() == null ? Map.of() : secret.get().getData();
        if (!data.containsKey(key)) {
            problems.add(
                    new Problem(
                            Problem.AUTH_SECRET_NOT_FOUND,
                            "Secret '"
                                    + name
                                    + "' has no key '"
                                    + key
                                    + "' (spec.auth.basicSecretRef.key)"));
        }
    }

    private static Optional<IssuedCertificate> ownCertificate(
            String name, Lookup lookup, Instant now, List<Problem> problems) {
        Optional<Secret> secret = lookup.secret(name);
        if (secret.isEmpty()) {
            problems.add(
                    new Problem(
                            Problem.TLS_SECRET_NOT_FOUND,
                            "Secret '" + name + "' (spec.tls.secretName) not found"));
            return Optional.empty();
        }
        Optional<IssuedCertificate> read = TlsSecrets.read(secret.get());
        if (read.isEmpty()) {
            problems.add(
                    new Problem(
                            Problem.TLS_SECRET_INVALID,
                            "Secret '"
                                    + name
                                    + "' (spec.tls.secretName) has no readable PEM certificate in tls.crt and private key in tls.key"));
            return Optional.empty();
        }
        IssuedCertificate certificate = read.get();
        if (!certificate.notAfter().isAfter(now)) {
            problems.add(
                    new Problem(
                            Problem.CERTIFICATE_EXPIRED,
                            "the certificate in Secret '"
                                    + name
                                    + "' expired at "
                                    + certificate.notAfter()));
            return Optional.empty();
        }
        return Optional.of(certificate);
    }
}
