package io.realmgate.proxy.access;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a client asks to go: a host name or IP literal and a port, as written in a CONNECT
 * authority or an absolute URI. Parsing is strict because a lenient parser is how proxies get
 * tricked into going somewhere their policy never saw.
 */
public record Target(String host, int port, Optional<InetAddress> literal) {
    // Compiled once: these run for every request (String.matches would compile them each time).
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");

    /** Parses {@code host:port} or {@code [v6]:port}; the port is required. */
    public static Target parseAuthority(String authority) {
        return parse(authority, -1);
    }

    /**
     * Parses an authority whose port may be omitted, in which case {@code defaultPort} is used
     * (absolute-URI requests); {@code defaultPort < 0} makes the port mandatory (CONNECT).
     */
    public static Target parse(String authority, int defaultPort) {
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("empty authority");
        }
        for (int i = 0; i < authority.length(); i++) {
            char c = authority.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new IllegalArgumentException(
                        "authority contains a control, space or non-ASCII character");
            }
            if (c == '@') {
                throw new IllegalArgumentException("authority must not carry user information");
            }
            if (c == '%') {
                throw new IllegalArgumentException("authority must not be percent-encoded");
            }
        }
        String host;
        String portText;
        if (authority.charAt(0) == '[') {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unterminated IPv6 literal");
            }
            host = authority.substring(1, close);
            String rest = authority.substring(close + 1);
            if (rest.isEmpty()) {
                portText = null;
            } else if (rest.charAt(0) == ':') {
                portText = rest.substring(1);
            } else {
                throw new IllegalArgumentException("unexpected text after IPv6 literal");
            }
            if (InetLiterals.parse(host).filter(a -> a.getAddress().length == 16).isEmpty()) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
            }
        } else {
            int colon = authority.indexOf(':');
            if (colon >= 0 && authority.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("IPv6 literal must be in brackets");
            }
            host = colon >= 0 ? authority.substring(0, colon) : authority;
            portText = colon >= 0 ? authority.substring(colon + 1) : null;
        }
        int port;
        if (portText == null) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("authority has no port");
            }
            port = defaultPort;
        } else {
            if (!PORT.matcher(portText).matches()) {
                throw new IllegalArgumentException("bad port '" + portText + "'");
            }
            port = Integer.parseInt(portText);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " outside 1-65535");
            }
        }
        Optional<InetAddress> literal = InetLiterals.parse(host);
        if (literal.isEmpty()) {
            host = HostNames.normalize(host);
        }
        return new Target(literal.map(InetLiterals::toText).orElse(host), port, literal);
    }

    public static Target of(InetAddress address, int port) {
        return new Target(InetLiterals.toText(address), port, Optional.of(address));
    }

    @Override
    public String toString() {
        return literal.map(InetLiterals::toUriHost).orElse(host) + ":" + port;
    }

    /** Host names compare case-insensitively and without a trailing root dot. */
    static final class HostNames {
        private static final Pattern LABEL =
                Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
        private static final Pattern NUMERIC = Pattern.compile("[0-9.]+|0x[0-9a-f.x]*");

        private HostNames() {}

        static String normalize(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.endsWith(".")) {
                n = n.substring(0, n.length() - 1);
            }
            if (n.isEmpty() || n.length() > 253) {
                throw new IllegalArgumentException("bad host name '" + name + "'");
            }
            for (String label : n.split("\\.", -1)) {
                if (!LABEL.matcher(label).matches()) {
                    throw new IllegalArgumentException("bad host name '" + name + "'");
                }
            }
            // All-numeric dotted names that are not valid quads ("1.2.3", "010.0.0.1") are refused:
            // resolvers read them as legacy IPv4 forms, which would slip past the address checks.
            if (NUMERIC.matcher(n).matches()) {
                throw new IllegalArgumentException(
                        "'" + name + "' is neither a valid IPv4 address nor a host name");
            }
            return n;
        }
    }
}
