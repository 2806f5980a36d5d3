package io.realmgate.proxy.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Credentials verified recently, by digest (never the password), shared by a listener's connections
 * so keep-alive clients and bursts of tunnels do not pay bcrypt each time. Cleared when the users
 * file is reloaded, so a removed user is refused at once.
 */
public final class AuthCache {
    private static final long TTL = TimeUnit.MINUTES.toNanos(5);
    private final Map<String, Long> verified = new ConcurrentHashMap<>();

    boolean contains(String fingerprint) {
        Long until = verified.get(fingerprint);
        return until != null && until - System.nanoTime() > 0;
    }

    void add(String fingerprint) {
        if (verified.size() > 10_000) {
            verified.clear(); // a crude bound: entries are cheap to verify again
        }
        verified.put(fingerprint, System.nanoTime() + TTL);
    }

    public void clear() {
        verified.clear();
    }
}
