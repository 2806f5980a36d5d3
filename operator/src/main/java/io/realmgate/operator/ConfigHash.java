package io.realmgate.operator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 over named parts, hex, for the pod-template hash of both kinds and certificate fingerprints. Each part is written with its name and length, so moving text from one part
 * to the next cannot give the same hash. The pod-template annotation carries it: pods roll when any part
 * changes, and only then.
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

    /** The hash of one value: how the users Secret's content enters the pod template without being in it. */
    public static String of(String value) {
        return start().add("value", value).hex();
    }
}
