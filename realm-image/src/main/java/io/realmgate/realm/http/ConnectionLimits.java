package io.realmgate.realm.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection caps, both listeners together: {@code --max-connections} in all and {@code
 * --max-connections-per-client} from one address. Beyond a cap, {@link #RESERVE} more connections
 * are taken as probe-only (the router answers {@code /healthz}, {@code /readyz} and {@code
 * /metrics} on them and 503 to anything else); beyond that, a connection is closed before anything
 * is read from it.
 */
public final class ConnectionLimits {
    /** Connections past the cap that may still carry a probe or a scrape. */
    public static final int RESERVE = 32;

    /** Set on a connection taken past a cap: only probes are answered on it. */
    static final AttributeKey<Boolean> PROBE_ONLY = AttributeKey.valueOf("realmgate.probe-only");

    public enum Admission {
        ADMITTED,
        PROBE_ONLY_TOTAL,
        PROBE_ONLY_CLIENT,
        REFUSED_TOTAL,
        REFUSED_CLIENT
    }

    private final int max;
    private final int perClient;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> byClient = new ConcurrentHashMap<>();

    public ConnectionLimits(int max, int perClient) {
        this.max = max;
        this.perClient = perClient;
    }

    public int open() {
        return open.get();
    }

    /** Counts the connection in (it is counted out when it closes) or refuses it uncounted. */
    Admission admit(Channel ch) {
        InetAddress client =
                ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        int total = open.incrementAndGet();
        int fromClient = client == null ? 1 : byClient.merge(client, 1, Integer::sum);
        Admission verdict;
        if (total <= max && fromClient <= perClient) {
            verdict = Admission.ADMITTED;
        } else if (total > max + RESERVE) {
            verdict = Admission.REFUSED_TOTAL;
        } else if (fromClient > perClient + RESERVE) {
            verdict = Admission.REFUSED_CLIENT;
        } else {
            verdict = total > max ? Admission.PROBE_ONLY_TOTAL : Admission.PROBE_ONLY_CLIENT;
        }
        if (verdict == Admission.REFUSED_TOTAL || verdict == Admission.REFUSED_CLIENT) {
            release(client);
        } else {
            ch.closeFuture().addListener(f -> release(client));
        }
        return verdict;
    }

    private void release(InetAddress client) {
        open.decrementAndGet();
        if (client != null) {
            byClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        }
    }
}
