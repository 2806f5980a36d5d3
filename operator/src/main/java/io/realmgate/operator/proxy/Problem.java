package io.realmgate.operator.proxy;

import io.realmgate.operator.access.SecretGrant;

/**
 * Something about a ForwardProxy that only the cluster can tell and that keeps it from being Ready:
 * a realm that does not exist, a port a realm does not serve, a Secret that is missing. The reason
 * is the Ready condition's reason (CamelCase); the message names the thing.
 */
public record Problem(String reason, String message) {
    public static final String REALM_NOT_FOUND = "RealmNotFound";
    public static final String REALM_PORT_NOT_FOUND = "RealmPortNotFound";
    public static final String INVALID_TARGET = "InvalidTarget";
    public static final String AUTH_SECRET_NOT_FOUND = "AuthSecretNotFound";
    public static final String TLS_SECRET_NOT_FOUND = "TlsSecretNotFound";
    public static final String TLS_SECRET_INVALID = "TlsSecretInvalid";
    public static final String CERTIFICATE_EXPIRED = "CertificateExpired";
    public static final String PORT_CONFLICT = "PortConflict";

    /**
     * The proxy needs Secrets (TLS, Basic auth) in a namespace that has not granted the operator
     * its Secrets.
     */
    public static final String SECRET_ACCESS_NOT_GRANTED = SecretGrant.NOT_GRANTED;
}
