package io.realmgate.operator;

import java.time.Duration;
import java.util.List;

/**
 * What the operator is told at start-up (flags, environment): the images it deploys, where its CA lives,
 * certificate lifetimes. Models read it; nothing in it changes while the operator runs.
 *
 * @param realmImage            image of the realm pods
 * @param proxyImage            image of the proxy pods
 * @param clusterDomain         the cluster's DNS domain, for Service names in certificates and target rules
 * @param operatorNamespace     namespace of the CA Secret
 * @param caSecretName          name of the CA Secret (kubernetes.io/tls, plus the CA bundle)
 * @param caValidity            lifetime of a new CA certificate
 * @param certificateValidity   lifetime of an issued server certificate
 * @param renewBefore           a certificate (or the CA) is renewed when less than this remains
 * @param podNetworks           address blocks the proxy admits when a ForwardProxy declares no ipBlocks: the
 *                              pod network. Which pods may connect is decided by the NetworkPolicy; the proxy's
 *                              own client check is the second line at the address level.
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
        List<String> podNetworks) {

    public static final String VERSION = "0.1.0";

    public OperatorSettings {
        podNetworks = List.copyOf(podNetworks);
        if (renewBefore.compareTo(certificateValidity) >= 0) {
            throw new IllegalArgumentException("renewBefore (" + renewBefore
                    + ") must be shorter than certificateValidity (" + certificateValidity + ")");
        }
        if (renewBefore.compareTo(caValidity) >= 0) {
            throw new IllegalArgumentException("renewBefore (" + renewBefore
                    + ") must be shorter than caValidity (" + caValidity + ")");
        }
    }

    public static OperatorSettings defaults() {
        return new OperatorSettings(
                "ghcr.io/realmgate/realm:" + VERSION,
                "ghcr.io/realmgate/proxy:" + VERSION,
                "cluster.local",
                "realmgate-system",
                "realmgate-ca",
                Duration.ofDays(3650),
                Duration.ofDays(90),
                Duration.ofDays(30),
                List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"));
    }

    public OperatorSettings withCertificateLifetimes(Duration ca, Duration certificate, Duration renew) {
        return new OperatorSettings(realmImage, proxyImage, clusterDomain, operatorNamespace, caSecretName,
                ca, certificate, renew, podNetworks);
    }
}
