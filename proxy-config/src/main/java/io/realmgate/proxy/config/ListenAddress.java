package io.realmgate.proxy.config;

/**
 * Where a listener binds: {@code HOST:PORT}, IPv6 in brackets ({@code [::]:3128}, {@code
 * [::1]:3128}); port 0 picks a free port. The programs bind it through {@code ListenerAddresses},
 * which falls back from {@code [::]} to {@code 0.0.0.0} on a host without IPv6.
 */
public record ListenAddress(String host, int port) {

    public static ListenAddress parse(String text) {
        String s = text.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [IPv6]:PORT, got '" + text + "'");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException(
                        "expected HOST:PORT (an IPv6 address in brackets, such as [::]:3128), got '"
                                + text
                                + "'");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("bad port '" + port + "' in '" + text + "'");
        }
        return new ListenAddress(host, Integer.parseInt(port));
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
