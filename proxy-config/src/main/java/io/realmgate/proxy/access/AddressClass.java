package io.realmgate.proxy.access;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

/**
 * Which kind of address a target resolved to. Only {@link #PUBLIC} addresses are reachable through
 * a port-only rule; every other class has to be named by host, IP or CIDR, so that an allow rule
 * for "port 443" never opens the pod network, the node or the cloud metadata endpoint.
 */
public enum AddressClass {
    PUBLIC,
    THIS_NETWORK("0.0.0.0/8", "::/128"),
    LOOPBACK("127.0.0.0/8", "::1/128"),
    PRIVATE("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
    CARRIER_GRADE_NAT("100.64.0.0/10"),
    LINK_LOCAL("169.254.0.0/16", "fe80::/10"),
    UNIQUE_LOCAL("fc00::/7"),
    /**
     * IPv6 forms that carry an IPv4 address: mapped, compatible, NAT64 well-known prefix, 6to4,
     * Teredo.
     */
    IPV4_EMBEDDED(
            "::ffff:0:0/96", "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32"),
    BROADCAST("255.255.255.255/32"),
    RESERVED(
            "192.0.0.0/24",
            "192.0.2.0/24",
            "198.18.0.0/15",
            "198.51.100.0/24",
            "203.0.113.0/24",
            "240.0.0.0/4",
            "2001:db8::/32",
            "100::/64"),
    MULTICAST("224.0.0.0/4", "ff00::/8");

    private final List<Cidr> blocks;

    AddressClass(String... cidrs) {
        this.blocks = Arrays.stream(cidrs).map(Cidr::parse).toList();
    }

    /** The class of {@code address}; the first matching class in declaration order wins. */
    public static AddressClass of(InetAddress address) {
        for (AddressClass c : values()) {
            for (Cidr block : c.blocks) {
                if (block.contains(address)) {
                    return c;
                }
            }
        }
        return PUBLIC;
    }

    public boolean isPublic() {
        return this == PUBLIC;
    }
}
