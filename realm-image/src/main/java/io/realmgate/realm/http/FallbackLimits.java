package io.realmgate.realm.http;

import io.netty.channel.Channel;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.ws.ReplayBudget;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fallback transports' own caps, both listeners together: {@code --max-streams} concurrent
 * event streams and {@code --max-polls} concurrent long-polls in all, {@code
 * --max-streams-per-client} and {@code --max-polls-per-client} from one address. Also the {@code
 * --replay-rate} budget of event streams and long-polls, one per client address: a long-poll is a
 * new request each time, so a budget per request or per connection would be no budget at all.
 */
public final class FallbackLimits {
    /**
     * Budgets kept before those back at a full second's worth (which carry nothing) are forgotten.
     */
    private static final int BUDGETS_KEPT = 4096;

    /** Why {@link Cap#acquire} refused. */
    enum Refusal {
        TOTAL,
        PER_CLIENT
    }

    /** One concurrent cap, total and per address. */
    static final class Cap {
        private final int max;
        private final int perClient;
        private final AtomicInteger open = new AtomicInteger();
        private final ConcurrentHashMap<InetAddress, Integer> byClient = new ConcurrentHashMap<>();

        Cap(int max, int perClient) {
            this.max = max;
            this.perClient = perClient;
        }

        /** Null when counted in (give it back with {@link #release}); otherwise why it was not. */
        Refusal acquire(InetAddress client) {
            if (open.incrementAndGet() > max) {
                open.decrementAndGet();
                return Refusal.TOTAL;
            }
            if (client != null && byClient.merge(client, 1, Integer::sum) > perClient) {
                release(client);
                return Refusal.PER_CLIENT;
            }
            return null;
        }

        void release(InetAddress client) {
            open.decrementAndGet();
            if (client != null) {
                byClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
            }
        }

        int open() {
            return open.get();
        }
    }

    final Cap streams;
    final Cap polls;
    private final int replayRate;
    private final ConcurrentHashMap<InetAddress, ReplayBudget> budgets = new ConcurrentHashMap<>();

    public FallbackLimits(RealmConfig config) {
        streams = new Cap(config.maxStreams(), config.maxStreamsPerClient());
        polls = new Cap(config.maxPolls(), config.maxPollsPerClient());
        replayRate = config.replayRate();
    }

    static InetAddress client(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    /** The replay budget the event streams and long-polls of this address share. */
    ReplayBudget replayBudget(InetAddress client) {
        if (client == null) {
            return new ReplayBudget(replayRate);
        }
        if (budgets.size() >= BUDGETS_KEPT) {
            budgets.values().removeIf(ReplayBudget::full);
        }
        return budgets.computeIfAbsent(client, k -> new ReplayBudget(replayRate));
    }
}
