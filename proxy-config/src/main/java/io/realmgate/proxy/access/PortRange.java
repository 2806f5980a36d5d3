package io.realmgate.proxy.access;

/** An inclusive TCP port range, {@code 9000} or {@code 9000-9010}. */
public record PortRange(int low, int high) {

    public PortRange {
        if (low < 1 || high > 65535 || low > high) {
            throw new IllegalArgumentException(
                    "port range " + low + "-" + high + " is not within 1-65535 in order");
        }
    }

    public static PortRange parse(String text) {
        int dash = text.indexOf('-');
        String lo = dash >= 0 ? text.substring(0, dash) : text;
        String hi = dash >= 0 ? text.substring(dash + 1) : text;
        return new PortRange(parsePort(lo, text), parsePort(hi, text));
    }

    static int parsePort(String s, String context) {
        if (!s.matches("\\d{1,5}")) {
            throw new IllegalArgumentException("'" + context + "' has a bad port '" + s + "'");
        }
        int p = Integer.parseInt(s);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(
                    "'" + context + "' has port " + p + ", outside 1-65535");
        }
        return p;
    }

    public boolean contains(int port) {
        return port >= low && port <= high;
    }

    @Override
    public String toString() {
        return low == high ? Integer.toString(low) : low + "-" + high;
    }
}
