package io.realmgate.proxy.access;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An address block: {@code 10.0.0.0/8}, {@code fd00::/8}, or a single address (full-length prefix).
 */
public record Cidr(byte[] network, int prefixLength) {

    public Cidr {
        network = network.clone();
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range");
        }
        network = mask(network, prefixLength);
    }

    /**
     * Parses {@code ADDRESS[/PREFIX]}; IPv6 may be bracketed. Throws {@link
     * IllegalArgumentException} with a message that says what is wrong.
     */
    public static Cidr parse(String text) {
        String s = text.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1); // [fd00::/8], as in a target rule
        }
        int slash = s.indexOf('/');
        String addr = slash >= 0 ? s.substring(0, slash) : s;
        if (addr.startsWith("[") && addr.endsWith("]")) {
            addr = addr.substring(1, addr.length() - 1);
        }
        InetAddress a =
                InetLiterals.parse(addr)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "'"
                                                        + text
                                                        + "' is not an IP address or CIDR block"));
        int max = a.getAddress().length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!p.matches("\\d{1,3}")) {
                throw new IllegalArgumentException(
                        "'" + text + "' has a bad prefix length '" + p + "'");
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException(
                        "'" + text + "' has prefix length " + prefix + ", more than " + max);
            }
        }
        return new Cidr(a.getAddress(), prefix);
    }

    public static Cidr of(InetAddress address) {
        return new Cidr(address.getAddress(), address.getAddress().length * 8);
    }

    /** True if {@code address} lies inside this block. IPv4 and IPv6 never match each other. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(a, prefixLength), network);
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - bits)));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c
                && c.prefixLength == prefixLength
                && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    /** {@code 10.0.0.0/8}, {@code fd00::/8}: the form {@link #parse} reads. */
    @Override
    public String toString() {
        return InetLiterals.toText(InetLiterals.parse(networkText()).orElseThrow())
                + "/"
                + prefixLength;
    }

    private String networkText() {
        StringBuilder sb = new StringBuilder();
        if (network.length == 4) {
            for (int i = 0; i < 4; i++) {
                sb.append(i > 0 ? "." : "").append(network[i] & 0xff);
            }
        } else {
            for (int i = 0; i < 16; i += 2) {
                sb.append(i > 0 ? ":" : "")
                        .append(
                                Integer.toHexString(
                                        ((network[i] & 0xff) << 8) | (network[i + 1] & 0xff)));
            }
        }
        return sb.toString();
    }
}
