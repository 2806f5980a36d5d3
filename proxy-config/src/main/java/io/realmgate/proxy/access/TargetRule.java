package io.realmgate.proxy.access;

import java.net.InetAddress;
import java.util.Optional;

/**
 * One allow-CONNECT rule, {@code [HOST|IP|CIDR:]PORT[-PORT]} (IPv6 in brackets). A rule naming a
 * host admits that name whatever it resolves to; a rule naming an address or block admits those
 * addresses; a port-only rule admits public addresses only (see {@link AddressClass}).
 */
public record TargetRule(Kind kind, Optional<String> host, Optional<Cidr> block, PortRange ports) {

    public enum Kind {
        HOST,
        ADDRESS,
        PORT_ONLY
    }

    public static TargetRule parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty rule");
        }
        String where;
        String portPart;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(
                        "rule '" + text + "': expected [IPv6]:PORT or [IPv6/PREFIX]:PORT");
            }
            where = s.substring(1, close);
            portPart = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw new IllegalArgumentException(
                        "rule '" + text + "': IPv6 addresses must be in brackets");
            }
            where = colon >= 0 ? s.substring(0, colon) : null;
            portPart = colon >= 0 ? s.substring(colon + 1) : s;
        }
        PortRange ports;
        try {
            ports = PortRange.parse(portPart);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rule '" + text + "': " + e.getMessage());
        }
        if (where == null) {
            return new TargetRule(Kind.PORT_ONLY, Optional.empty(), Optional.empty(), ports);
        }
        if (where.isEmpty()) {
            throw new IllegalArgumentException("rule '" + text + "': empty host before the port");
        }
        String addr = where.contains("/") ? where.substring(0, where.indexOf('/')) : where;
        if (InetLiterals.parse(addr).isPresent()) {
            try {
                return new TargetRule(
                        Kind.ADDRESS, Optional.empty(), Optional.of(Cidr.parse(where)), ports);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rule '" + text + "': " + e.getMessage());
            }
        }
        if (where.contains("/")) {
            throw new IllegalArgumentException(
                    "rule '" + text + "': '" + where + "' is not a CIDR block");
        }
        try {
            return new TargetRule(
                    Kind.HOST,
                    Optional.of(Target.HostNames.normalize(where)),
                    Optional.empty(),
                    ports);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rule '" + text + "': " + e.getMessage());
        }
    }

    /** True when this rule admits the target's name and port without knowing any address. */
    boolean admitsByName(Target target) {
        return kind == Kind.HOST
                && target.literal().isEmpty()
                && host.orElseThrow().equals(target.host())
                && ports.contains(target.port());
    }

    /** True when this rule could admit the target once its address is known. */
    boolean mayAdmitByAddress(Target target) {
        if (!ports.contains(target.port())) {
            return false;
        }
        return switch (kind) {
            case HOST -> false;
            case PORT_ONLY -> target.literal().map(a -> AddressClass.of(a).isPublic()).orElse(true);
            case ADDRESS -> target.literal().map(a -> block.orElseThrow().contains(a)).orElse(true);
        };
    }

    boolean admitsAddress(InetAddress address, int port) {
        if (!ports.contains(port)) {
            return false;
        }
        return switch (kind) {
            case HOST -> false;
            case PORT_ONLY -> AddressClass.of(address).isPublic();
            case ADDRESS -> block.orElseThrow().contains(address);
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PORT_ONLY -> ports.toString();
            case HOST -> host.orElseThrow() + ":" + ports;
            case ADDRESS -> {
                Cidr c = block.orElseThrow();
                boolean v6 = c.network().length == 16;
                String a = c.toString();
                if (c.prefixLength() == c.network().length * 8) {
                    a = a.substring(0, a.lastIndexOf('/'));
                }
                yield (v6 ? "[" + a + "]" : a) + ":" + ports;
            }
        };
    }
}
