package io.realmgate.proxy.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The proxy's users: a file of {@code user:hash} lines where every hash is bcrypt ({@code $2a$},
 * {@code $2b$}, {@code $2y$}, as {@code htpasswd -B} writes). Plaintext or weaker hashes are
 * refused when the file is read, not discovered at the first login. Verifying is slow on purpose
 * (bcrypt), so callers run it off the event loop.
 */
public final class ProxyUsers {
    /**
     * A bcrypt hash of a random secret, checked for unknown users so timing does not reveal who
     * exists.
     */
    private static final String DUMMY;

    static {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        DUMMY = OpenBSDBCrypt.generate("2b", UUID.randomUUID().toString().toCharArray(), salt, 10);
    }

    private final Map<String, String> hashes;

    private ProxyUsers(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
    }

    public static ProxyUsers load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = file + " line " + (i + 1);
            if (colon <= 0) {
                throw new IOException(where + ": expected user:bcrypt-hash");
            }
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            if (!hash.matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
                throw new IOException(
                        where + ": the hash for '" + user + "' is not bcrypt ($2a$/$2b$/$2y$)");
            }
            if (out.put(user, hash) != null) {
                throw new IOException(where + ": user '" + user + "' appears twice");
            }
        }
        return new ProxyUsers(out);
    }

    public int size() {
        return hashes.size();
    }

    /**
     * Checks a {@code Proxy-Authorization} value. Unknown users cost the same bcrypt work as known
     * ones; the comparison inside bcrypt is constant-time.
     */
    public Optional<String> verify(String proxyAuthorization) {
        Credentials c = Credentials.parse(proxyAuthorization).orElse(null);
        if (c == null) {
            return Optional.empty();
        }
        String hash = hashes.get(c.user());
        boolean ok = matches(hash != null ? hash : DUMMY, c.password());
        return ok && hash != null ? Optional.of(c.user()) : Optional.empty();
    }

    /** Recomputes bcrypt with the stored salt and cost and compares all bytes in constant time. */
    static boolean matches(String stored, String password) {
        String version = stored.substring(1, 3);
        int cost = Integer.parseInt(stored.substring(4, 6));
        byte[] salt = decodeSalt(stored.substring(7, 29));
        String computed = OpenBSDBCrypt.generate(version, password.toCharArray(), salt, cost);
        return MessageDigest.isEqual(
                computed.getBytes(StandardCharsets.US_ASCII),
                stored.getBytes(StandardCharsets.US_ASCII));
    }

    private static final String BCRYPT_ALPHABET =
            "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** bcrypt's own base64 (its alphabet, no padding): 22 characters carry the 16-byte salt. */
    private static byte[] decodeSalt(String text) {
        byte[] out = new byte[16];
        int bits = 0;
        int acc = 0;
        int n = 0;
        for (int i = 0; i < text.length() && n < 16; i++) {
            acc = (acc << 6) | BCRYPT_ALPHABET.indexOf(text.charAt(i));
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (acc >> bits);
            }
        }
        return out;
    }

    /** user and password from {@code Basic base64(user:password)}. */
    public record Credentials(String user, String password) {
        public static Optional<Credentials> parse(String header) {
            if (header == null) {
                return Optional.empty();
            }
            String h = header.strip();
            if (h.length() < 6 || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
                return Optional.empty();
            }
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(h.substring(6).strip());
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            String s = new String(decoded, StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            if (colon <= 0) {
                return Optional.empty();
            }
            return Optional.of(new Credentials(s.substring(0, colon), s.substring(colon + 1)));
        }

        /**
         * A digest that stands for these credentials in caches; the password itself is never kept.
         */
        public String fingerprint() {
            try {
                byte[] d =
                        MessageDigest.getInstance("SHA-256")
                                .digest((user + '\0' + password).getBytes(StandardCharsets.UTF_8));
                return Base64.getEncoder().encodeToString(d);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return "Credentials[user=" + user + ", password=<hidden>]";
        }
    }
}
