package io.realmgate.proxy.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses. Pluggable so tests can make a name resolve to a forbidden
 * address and count lookups. Implementations may block: {@link TargetGate} never calls them on an
 * event loop.
 */
@FunctionalInterface
public interface TargetResolver {
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JVM's resolver (which honours /etc/hosts and the system's DNS configuration). */
    TargetResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
}
