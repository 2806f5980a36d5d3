package io.realmgate.bench;

/**
 * What the fan-out publisher sends: a JSON object of fixed size, the same bytes for every system
 * under test, holding the moment it was published ({@code t}, nanoseconds on this JVM's clock since
 * the run started) and padding: {@code {"t":123456,"pad":"xxxx…"}}. Publisher and subscribers share
 * the clock, so a subscriber's latency is its arrival time minus {@code t}.
 */
final class FanOutPayload {
    /** Bytes of every payload: a small market-data-sized event. */
    static final int SIZE = 100;

    /** Long enough for any {@code t} of a run (19 digits), and the padding at least one byte. */
    private static final String HEAD = "{\"t\":";

    private static final String PAD = ",\"pad\":\"";
    private static final long ORIGIN = System.nanoTime();

    private FanOutPayload() {}

    /** Nanoseconds on the shared clock. */
    static long now() {
        return System.nanoTime() - ORIGIN;
    }

    /** The payload for a publish made at {@code t} (from {@link #now()}, never negative). */
    static String at(long t) {
        if (t < 0) {
            throw new IllegalArgumentException("t must not be negative, got " + t);
        }
        StringBuilder sb = new StringBuilder(SIZE).append(HEAD).append(t).append(PAD);
        int pad = SIZE - sb.length() - 2;
        for (int i = 0; i < pad; i++) {
            sb.append('x');
        }
        return sb.append("\"}").toString();
    }

    /**
     * The {@code t} of a payload as JSON text, or -1 when it has none. A scan rather than a parse:
     * the client parsed the message already, and its cost should be the client's, not ours twice.
     */
    static long sentAt(CharSequence json) {
        int i = indexOf(json, HEAD);
        if (i < 0) {
            return -1;
        }
        int p = i + HEAD.length();
        long t = 0;
        int digits = 0;
        while (p < json.length() && digits < 19) {
            char c = json.charAt(p);
            if (c < '0' || c > '9') {
                break;
            }
            t = t * 10 + (c - '0');
            p++;
            digits++;
        }
        return digits == 0 ? -1 : t;
    }

    private static int indexOf(CharSequence s, String what) {
        outer:
        for (int i = 0; i + what.length() <= s.length(); i++) {
            for (int j = 0; j < what.length(); j++) {
                if (s.charAt(i + j) != what.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
