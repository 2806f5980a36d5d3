package io.realmgate.operator.realm;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.realmgate.operator.Names;
import io.realmgate.operator.api.CertManagerIssuerRef;
import io.realmgate.operator.api.Realm;
import io.realmgate.operator.workload.ChildMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cert-manager {@code Certificate} of a Realm whose {@code spec.tls.issuerRef} names an issuer:
 * the realm's DNS names, from that issuer, into Secret {@link Names#realmCertManagerSecret}, which
 * the realm pods mount and the operator reads as it reads a user's Secret. Written as a generic
 * resource (the operator has no cert-manager model classes and no informer on a kind that may not
 * exist), owned by the Realm, only while the API server serves the kind.
 */
final class CertManagerCertificate {
    static final String API_VERSION = CertManagerIssuerRef.GROUP + "/v1";
    static final String KIND = "Certificate";
    static final String NOT_INSTALLED = "CertManagerNotInstalled";
    static final String PENDING = "CertificatePending";
    private static final ResourceDefinitionContext CERTIFICATES =
            new ResourceDefinitionContext.Builder()
                    .withGroup(CertManagerIssuerRef.GROUP)
                    .withVersion("v1")
                    .withKind(KIND)
                    .withPlural("certificates")
                    .withNamespaced(true)
                    .build();
    private static final Logger log = LoggerFactory.getLogger(CertManagerCertificate.class);

    private CertManagerCertificate() {}

    /** Whether the API server serves certificates.cert-manager.io/v1 (discovery, no CRD read). */
    static boolean served(KubernetesClient client) {
        try {
            APIResourceList resources = client.getApiResources(API_VERSION);
            return resources != null
                    && resources.getResources() != null
                    && resources.getResources().stream()
                            .anyMatch(r -> "certificates".equals(r.getName()));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** The Certificate the operator wants for {@code realm}. */
    static GenericKubernetesResource desired(
            Realm realm, CertManagerIssuerRef issuer, List<String> dnsNames) {
        Map<String, Object> issuerRef = new LinkedHashMap<>();
        issuerRef.put("name", issuer.name);
        issuerRef.put("kind", issuer.kind == null ? "Issuer" : issuer.kind);
        issuerRef.put("group", issuer.group == null ? CertManagerIssuerRef.GROUP : issuer.group);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("secretName", Names.realmCertManagerSecret(realm));
        spec.put("dnsNames", List.copyOf(dnsNames));
        spec.put("issuerRef", issuerRef);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(API_VERSION)
                .withKind(KIND)
                .withMetadata(
                        ChildMetadata.of(
                                realm,
                                Names.realm(realm),
                                Map.of(
                                        Names.LABEL_MANAGED_BY,
                                        Names.MANAGED_BY,
                                        Names.LABEL_PART_OF,
                                        "realmgate",
                                        Names.LABEL_COMPONENT,
                                        "certificate")))
                .withAdditionalProperties(Map.of("spec", spec))
                .build();
    }

    /**
     * Writes the Certificate when it is missing or its spec differs from {@code wanted} (a resync
     * writes nothing).
     */
    static void apply(KubernetesClient client, GenericKubernetesResource wanted) {
        var resource =
                client.genericKubernetesResources(CERTIFICATES)
                        .inNamespace(wanted.getMetadata().getNamespace())
                        .withName(wanted.getMetadata().getName());
        GenericKubernetesResource current = resource.get();
        if (current != null && Objects.equals(specOf(current), specOf(wanted))) {
            return;
        }
        client.genericKubernetesResources(CERTIFICATES)
                .inNamespace(wanted.getMetadata().getNamespace())
                .resource(wanted)
                .fieldManager(Names.MANAGED_BY)
                .forceConflicts()
                .serverSideApply();
        log.info(
                "{} cert-manager Certificate {}/{}",
                current == null ? "Created" : "Updated",
                wanted.getMetadata().getNamespace(),
                wanted.getMetadata().getName());
    }

    /**
     * The fields the operator sets, as the API server returns them (cert-manager's defaulting adds
     * none to these; other fields of the spec are not compared).
     */
    private static Map<String, Object> specOf(GenericKubernetesResource certificate) {
        Object spec = certificate.getAdditionalProperties().get("spec");
        if (!(spec instanceof Map<?, ?> map)) {
            return Map.of();
        }
        Map<String, Object> mine = new LinkedHashMap<>();
        for (String key : List.of("secretName", "dnsNames", "issuerRef")) {
            mine.put(key, map.get(key));
        }
        return mine;
    }
}
