package io.realmgate.proxy.access;

import java.net.InetAddress;
import java.util.List;

/** Apache's {@code Allow from}: the client addresses that may use the proxy at all. */
public final class ClientPolicy {
    public static final List<Cidr> LOOPBACK =
            List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("::1/128"));

    private final List<Cidr> allowed;

    public ClientPolicy(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    public List<Cidr> allowed() {
        return allowed;
    }

    public boolean admits(InetAddress client) {
        InetAddress a = InetLiterals.unmapped(client);
        for (Cidr c : allowed) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }
}
