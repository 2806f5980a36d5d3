package io.realmgate.operator;

import io.realmgate.common.LogFormat;
import io.realmgate.operator.access.SecretGrant;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the operator is told at start-up (flags, environment): the images it deploys, where its CA
 * lives, certificate lifetimes. Models read it; nothing in it changes while the operator runs.
 *
 * @param realmImage image of the realm pods
 * @param proxyImage image of the proxy pods
 * @param clusterDomain the cluster's DNS domain, for Service names in certificates and target rules
 * @param operatorNamespace namespace of the CA Secret
 * @param caSecretName name of the CA Secret (kubernetes.io/tls, plus the CA bundle)
 * @param caValidity lifetime of a new CA certificate
 * @param certificateValidity lifetime of an issued server certificate
 * @param renewBefore a certificate (or the CA) is renewed when less than this remains
 * @param podNetworks address blocks the proxy admits when a ForwardProxy declares no ipBlocks: the
 *     pod network. Which pods may connect is decided by the NetworkPolicy; the proxy's own client
 *     check is the second line at the address level.
 * @param imagePullSecrets names of kubernetes.io/dockerconfigjson Secrets every Deployment the
 *     operator writes pulls its image with; they must exist in the custom resource's namespace
 * @param metricsScrapers the pods the NetworkPolicies admit to the admin ports (metrics); empty:
 *     none
 * @param secretGrant how a namespace grants the operator its Secrets (a RoleBinding of a
 *     ClusterRole to its ServiceAccount); empty: it uses the Secrets of every namespace it watches
 * @param logFormat how the realm and proxy pods write their logs ({@code REALMGATE_LOG_FORMAT})
 * @param caRotationOverlap how long a new CA is in every bundle before it signs (the first step of
 *     a CA rotation, see CaSchedule); zero: it signs at once
 */
public record OperatorSettings(
        String realmImage,
        String proxyImage,
        String clusterDomain,
        String operatorNamespace,
        String caSecretName,
        Duration caValidity,
        Duration certificateValidity,
        Duration renewBefore,
        List<String> podNetworks,
        List<String> imagePullSecrets,
        Optional<MetricsScrapers> metricsScrapers,
        Optional<SecretGrant> secretGrant,
        LogFormat logFormat,
        Duration caRotationOverlap) {

    public static final String VERSION = "0.1.0";

    public OperatorSettings {
        podNetworks = List.copyOf(podNetworks);
        imagePullSecrets = List.copyOf(new LinkedHashSet<>(imagePullSecrets));
        Objects.requireNonNull(metricsScrapers, "metricsScrapers");
        Objects.requireNonNull(secretGrant, "secretGrant");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(caRotationOverlap, "caRotationOverlap");
        if (caRotationOverlap.isNegative()) {
            throw new IllegalArgumentException(
                    "caRotationOverlap (" + caRotationOverlap + ") must not be negative");
        }
        if (renewBefore.plus(caRotationOverlap).compareTo(caValidity) >= 0) {
            throw new IllegalArgumentException(
                    "renewBefore ("
                            + renewBefore
                            + ") plus caRotationOverlap ("
                            + caRotationOverlap
                            + ") must be shorter than caValidity ("
                            + caValidity
                            + ")");
        }
        if (renewBefore.compareTo(certificateValidity) >= 0) {
            throw new IllegalArgumentException(
                    "renewBefore ("
                            + renewBefore
                            + ") must be shorter than certificateValidity ("
                            + certificateValidity
                            + ")");
        }
        if (renewBefore.compareTo(caValidity) >= 0) {
            throw new IllegalArgumentException(
                    "renewBefore ("
                            + renewBefore
                            + ") must be shorter than caValidity ("
                            + caValidity
                            + ")");
        }
    }

    /**
     * The settings of the operator's first flags, with no image pull Secrets, the default metrics
     * scrapers and the Secrets of every watched namespace (what {@link #defaults()} has for them),
     * and CA rotations in one step (no overlap).
     */
    public OperatorSettings(
            String realmImage,
            String proxyImage,
            String clusterDomain,
            String operatorNamespace,
            String caSecretName,
            Duration caValidity,
            Duration certificateValidity,
            Duration renewBefore,
            List<String> podNetworks) {
        this(
                realmImage,
                proxyImage,
                clusterDomain,
                operatorNamespace,
                caSecretName,
                caValidity,
                certificateValidity,
                renewBefore,
                podNetworks,
                List.of(),
                Optional.of(MetricsScrapers.DEFAULT),
                Optional.empty(),
                LogFormat.TEXT,
                Duration.ZERO);
    }

    /**
     * The images are the ones the project builds itself (Jib, into local archives loaded onto the
     * nodes): a {@code localhost/} name is never pulled from a public registry by accident.
     */
    public static OperatorSettings defaults() {
        return new OperatorSettings(
                "localhost/realmgate/realm:" + VERSION,
                "localhost/realmgate/proxy:" + VERSION,
                "cluster.local",
                "realmgate-system",
                "realmgate-ca",
                Duration.ofDays(3650),
                Duration.ofDays(90),
                Duration.ofDays(30),
                List.of(
                        "10.0.0.0/8",
                        "172.16.0.0/12",
                        "192.168.0.0/16",
                        "100.64.0.0/10",
                        "fc00::/7"),
                List.of(),
                Optional.of(MetricsScrapers.DEFAULT),
                Optional.empty(),
                LogFormat.TEXT,
                Duration.ofHours(24));
    }

    public OperatorSettings withCertificateLifetimes(
            Duration ca, Duration certificate, Duration renew) {
        return new OperatorSettings(
                realmImage,
                proxyImage,
                clusterDomain,
                operatorNamespace,
                caSecretName,
                ca,
                certificate,
                renew,
                podNetworks,
                imagePullSecrets,
                metricsScrapers,
                secretGrant,
                logFormat,
                caRotationOverlap);
    }

    public OperatorSettings withClusterDomain(String domain) {
        return new OperatorSettings(
                realmImage,
                proxyImage,
                domain,
                operatorNamespace,
                caSecretName,
                caValidity,
                certificateValidity,
                renewBefore,
                podNetworks,
                imagePullSecrets,
                metricsScrapers,
                secretGrant,
                logFormat,
                caRotationOverlap);
    }

    public OperatorSettings withImagePullSecrets(List<String> names) {
        return new OperatorSettings(
                realmImage,
                proxyImage,
                clusterDomain,
                operatorNamespace,
                caSecretName,
                caValidity,
                certificateValidity,
                renewBefore,
                podNetworks,
                names,
                metricsScrapers,
                secretGrant,
                logFormat,
                caRotationOverlap);
    }

    public OperatorSettings withMetricsScrapers(Optional<MetricsScrapers> scrapers) {
        return new OperatorSettings(
                realmImage,
                proxyImage,
                clusterDomain,
                operatorNamespace,
                caSecretName,
                caValidity,
                certificateValidity,
                renewBefore,
                podNetworks,
                imagePullSecrets,
                scrapers,
                secretGrant,
                logFormat,
                caRotationOverlap);
    }

    public OperatorSettings withLogFormat(LogFormat format) {
        return new OperatorSettings(
                realmImage,
                proxyImage,
                clusterDomain,
                operatorNamespace,
                caSecretName,
                caValidity,
                certificateValidity,
                renewBefore,
                podNetworks,
                imagePullSecrets,
                metricsScrapers,
                secretGrant,
                format,
                caRotationOverlap);
    }

    public OperatorSettings withCaRotationOverlap(Duration overlap) {
        return new OperatorSettings(
                realmImage,
                proxyImage,
                clusterDomain,
                operatorNamespace,
                caSecretName,
                caValidity,
                certificateValidity,
                renewBefore,
                podNetworks,
                imagePullSecrets,
                metricsScrapers,
                secretGrant,
                logFormat,
                overlap);
    }
}
