package io.realmgate.realm.hub;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A channel history's epoch: a token that names one history of a channel's ids. Ids are only
 * comparable within one epoch; a history that may have been lost (the realm restarted, the channel
 * was dropped and made again) starts a new epoch, so a client resuming with ids of the old one is
 * told its position was reset instead of being given the wrong events (docs/protocol.md).
 *
 * <p>Clients treat an epoch as opaque: the memory hub draws 64 random bits as 16 hex digits, and
 * another engine may write its own, within {@link #valid}.
 */
public final class Epoch {
    /**
     * Why a subscription's position was reset; the value of {@code reset} in {@code subscribed}.
     */
    public static final String CHANGED = "epoch-changed";

    public static final int MAX_LENGTH = 64;

    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9._~-]{1," + MAX_LENGTH + "}");

    /**
     * Seeded from the system once: two realms that start at the same instant still draw different
     * epochs, which a seed taken from the clock would not promise. Uniqueness is what counts, not
     * secrecy.
     */
    private static final SecureRandom RANDOM = new SecureRandom();

    private Epoch() {}

    /** A fresh epoch: 64 random bits as 16 lower-case hex digits. */
    public static String random() {
        return HexFormat.of().toHexDigits(RANDOM.nextLong());
    }

    /** An epoch a client may send: 1-64 characters of {@code A-Z a-z 0-9 . _ ~ -}. */
    public static boolean valid(String epoch) {
        return epoch != null && SYNTAX.matcher(epoch).matches();
    }

    /** What a refused epoch is told. */
    public static String rule() {
        return "an epoch is 1-" + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ ~ -";
    }
}
