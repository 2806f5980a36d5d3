package io.realmgate.operator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 over named parts, hex, for the proxy's restart hash and certificate fingerprints. Each
 * part is written with its name and length, so moving text from one part to the next cannot give
 * the same hash.
 */
public final class ConfigHash {
    private final MessageDigest digest;

    private ConfigHash() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public static ConfigHash start() {
        return new ConfigHash();
    }

    public ConfigHash add(String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update((name + ":" + bytes.length + ":").getBytes(StandardCharsets.UTF_8));
        digest.update(bytes);
        return this;
    }

    public String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
