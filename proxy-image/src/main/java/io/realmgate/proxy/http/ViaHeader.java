package io.realmgate.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;

/**
 * Apache's {@code ProxyVia On}: appends {@code 1.1 NAME} (the received protocol version) to Via.
 */
public final class ViaHeader {
    public static final ViaHeader DISABLED = new ViaHeader(null);

    private final String name;

    private ViaHeader(String name) {
        this.name = name;
    }

    public static ViaHeader enabled(String name) {
        return new ViaHeader(name);
    }

    /**
     * @param receivedVersion the protocol version of the message as this proxy received it
     */
    void addTo(HttpMessage message, String receivedVersion) {
        if (name == null) {
            return;
        }
        String entry = receivedVersion + " " + name;
        String existing = String.join(", ", message.headers().getAll(HttpHeaderNames.VIA));
        message.headers()
                .set(HttpHeaderNames.VIA, existing.isEmpty() ? entry : existing + ", " + entry);
    }

    static String versionOf(HttpMessage message) {
        return message.protocolVersion().majorVersion()
                + "."
                + message.protocolVersion().minorVersion();
    }
}
