package io.realmgate.realm.hub.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.channel.EventLoopGroup;
import io.realmgate.realm.hub.Engine;
import io.realmgate.realm.hub.Epoch;
import io.realmgate.realm.hub.HubException;
import io.realmgate.realm.hub.HubStats;
import io.realmgate.realm.hub.Position;
import io.realmgate.realm.hub.Subscriber;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis} engine: channels live in Redis, shared by every realm process that uses the
 * same Redis (docs/decisions.md, "The redis engine"). A Lua script appends an event atomically
 * (next id, store in the channel's stream, trim by count, bytes and age, publish on pub/sub); every
 * process hears the events of the channels its clients subscribed to on pub/sub and reads the
 * channel's log when pub/sub skipped ids (see {@link RemoteChannel}). The epoch is one key in
 * Redis: when Redis loses its data it loses that key, the next script writes a new one and every
 * process resets its subscribers.
 *
 * <p>Lettuce's asynchronous API only: no method blocks, callbacks run on Lettuce's own threads.
 * While Redis is away publishes fail at once ({@code unavailable}), {@link #available()} is false,
 * subscribers stay and a sweep reads what they missed once Redis is back.
 */
public final class RedisEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(RedisEngine.class);

    /** Entries read at once when catching up. */
    static final int BATCH = 500;

    /** How often the sweep checks the epoch and retries what failed while Redis was away. */
    static final Duration SWEEP = Duration.ofSeconds(1);

    /** A command Redis did not answer within this fails, and its publish is {@code unavailable}. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    /** The longest wait between two attempts to reach Redis again. */
    static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(2);

    private static final LuaScript APPEND = LuaScript.load("append.lua");
    private static final LuaScript READ = LuaScript.load("read.lua");
    private static final RedisCodec<String, byte[]> CODEC =
            RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final String url;
    private final String shownUrl;
    private final java.nio.file.Path passwordFile;
    private final java.nio.file.Path caFile;
    private final RedisKeys redisKeys;
    private final byte[] retainEvents;
    private final byte[] retainBytes;
    private final byte[] retainAgeMillis;
    private final byte[] maxChannels;
    private final HubStats stats;
    private final ConcurrentHashMap<String, RemoteChannel> channels = new ConcurrentHashMap<>();
    private final RemoteChannel.Actions actions = new ChannelActions();

    /** Sweeps left that re-read every channel: set when a connection to Redis came back. */
    private final AtomicInteger resyncSweeps = new AtomicInteger();

    private ClientResources resources;
    private RedisClient client;
    private volatile StatefulRedisConnection<String, byte[]> commands;
    private volatile StatefulRedisPubSubConnection<String, byte[]> pubSub;
    private volatile boolean connectedOnce;

    /** Why the last attempt to reach Redis failed, for {@code /readyz}; no password in it. */
    private volatile String lastFailure;

    private ScheduledFuture<?> sweep;
    private volatile String knownEpoch;
    private volatile boolean closing;

    /**
     * Where the engine connects and how.
     *
     * @param url {@code redis://}, {@code rediss://} or {@code redis-sentinel://}, as Lettuce reads
     *     it; may hold a password
     * @param shownUrl the same without the password, for logs
     * @param passwordFile the file holding the password, read at each connection (a rotated Secret
     *     is used at the next reconnect), or null
     * @param keyPrefix what the realm's keys and pub/sub channels start with (before a colon)
     * @param caFile PEM CA certificates for TLS, or null for the JVM's trust store
     */
    public record Connection(
            String url,
            String shownUrl,
            java.nio.file.Path passwordFile,
            String keyPrefix,
            java.nio.file.Path caFile) {}

    /**
     * @param retainAge how long events are retained, null for no limit
     */
    public RedisEngine(
            Connection connection,
            int retainEvents,
            long retainBytes,
            Duration retainAge,
            int maxChannels,
            HubStats stats) {
        this.url = connection.url();
        this.shownUrl = connection.shownUrl();
        this.passwordFile = connection.passwordFile();
        this.caFile = connection.caFile();
        this.redisKeys = new RedisKeys(connection.keyPrefix());
        this.retainEvents = ascii(retainEvents);
        this.retainBytes = ascii(retainBytes);
        this.retainAgeMillis = ascii(retainAge == null ? 0 : retainAge.toMillis());
        this.maxChannels = ascii(maxChannels);
        this.stats = stats;
        stats.retainedElsewhere();
    }

    @Override
    public String name() {
        return "redis";
    }

    /**
     * Connects to Redis, or, if it cannot be reached now, keeps trying in the background
     * (docs/decisions.md, "A redis realm starts while Redis is down"): the realm starts, is not
     * ready and refuses publishes until the first connection. Called once, not on an event loop.
     */
    @Override
    public void start() {
        start(null, 0, null);
    }

    /**
     * As {@link #start()}, with the Redis connections' I/O on the realm's connection loops when
     * Lettuce would choose the transport they serve ({@link SharedEventLoops}); on loops of
     * Lettuce's own otherwise (a realm forced to NIO where Lettuce takes epoll).
     */
    @Override
    public void start(
            EventLoopGroup connectionLoops,
            int loopCount,
            Class<? extends io.netty.channel.Channel> channelType) {
        DefaultClientResources.Builder builder = DefaultClientResources.builder();
        if (connectionLoops != null
                && channelType == io.lettuce.core.resource.Transports.socketChannelClass()) {
            builder.eventLoopGroupProvider(new SharedEventLoops(connectionLoops, loopCount));
        } else {
            builder.ioThreadPoolSize(2);
        }
        resources =
                builder.computationThreadPoolSize(2)
                        // Lettuce's default backs off to 30 s: subscribers would wait that long for
                        // their catch-up after Redis returned. Reconnecting every 2 s at most costs
                        // one connection attempt per 2 s while Redis is away.
                        .reconnectDelay(
                                Delay.exponential(
                                        Duration.ofMillis(50),
                                        MAX_RECONNECT_DELAY,
                                        2,
                                        TimeUnit.MILLISECONDS))
                        .build();
        client = RedisClient.create(resources);
        ClientOptions.Builder options = ClientOptions.builder();
        if (caFile != null) {
            options.sslOptions(
                    SslOptions.builder().jdkSslProvider().trustManager(caFile.toFile()).build());
        }
        client.setOptions(
                options.autoReconnect(true)
                        // Never queue a publish while Redis is away: it is refused at once instead.
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                        .build());
        client.addListener(
                new RedisConnectionStateListener() {
                    @Override
                    public void onRedisConnected(
                            RedisChannelHandler<?, ?> connection, java.net.SocketAddress address) {
                        // Pub/sub may have missed events while it was away, and it re-subscribes
                        // on its own some time after this: read every channel now and twice more.
                        resyncSweeps.set(3);
                    }

                    @Override
                    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                        if (closing || !connectedOnce) {
                            return;
                        }
                        LOG.warn("redis engine: lost the connection to {}", shownUrl);
                    }
                });
        sweep =
                resources
                        .eventExecutorGroup()
                        .scheduleWithFixedDelay(
                                this::sweep,
                                SWEEP.toMillis(),
                                SWEEP.toMillis(),
                                TimeUnit.MILLISECONDS);
        // The first attempt waits here, so that a realm whose Redis is up is ready when start
        // returns; later ones run in the background.
        try {
            connect(1).get(COMMAND_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            if (refusedByRedis(e)) {
                close();
                throw new IllegalStateException(
                        "redis engine: cannot connect to " + shownUrl + ": " + rootMessage(e), e);
            }
            // Not reached: connect logged it and tries again.
        } catch (java.util.concurrent.TimeoutException e) {
            // connect tries again
        }
    }

    /**
     * Redis answered and refused (a wrong password, a user without rights): a configuration error
     * at start, not an outage, so the realm does not start.
     */
    private static boolean refusedByRedis(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof io.lettuce.core.RedisCommandExecutionException) {
                return true;
            }
        }
        return false;
    }

    /**
     * One attempt to open both connections; on failure the next is scheduled after Lettuce's
     * reconnect delay (the same back-off as its own reconnects, never a busy loop). Lettuce
     * reconnects an established connection by itself, but not one that never opened.
     */
    private CompletableFuture<Void> connect(long attempt) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing) {
            done.complete(null);
            return done;
        }
        RedisURI uri = redisUri();
        client.connectAsync(CODEC, uri)
                .toCompletableFuture()
                .thenCompose(
                        c ->
                                client.connectPubSubAsync(CODEC, uri)
                                        .toCompletableFuture()
                                        .whenComplete(
                                                (p, failure) -> {
                                                    if (failure != null) {
                                                        c.closeAsync();
                                                    }
                                                })
                                        .thenAccept(p -> connected(c, p)))
                .whenComplete(
                        (ok, failure) -> {
                            if (failure == null) {
                                done.complete(null);
                                return;
                            }
                            lastFailure = rootMessage(failure);
                            if (attempt == 1 && refusedByRedis(failure)) {
                                done.completeExceptionally(failure); // start fails
                                return;
                            }
                            if (attempt == 1) {
                                LOG.warn(
                                        "redis engine: cannot reach {} ({}); the realm is not ready"
                                                + " and keeps trying",
                                        shownUrl,
                                        rootMessage(failure));
                            } else {
                                LOG.debug(
                                        "redis engine: attempt {} to reach {} failed: {}",
                                        attempt,
                                        shownUrl,
                                        rootMessage(failure));
                            }
                            if (!closing) {
                                Duration delay = resources.reconnectDelay().createDelay(attempt);
                                resources
                                        .eventExecutorGroup()
                                        .schedule(
                                                () -> connect(attempt + 1),
                                                delay.toMillis(),
                                                TimeUnit.MILLISECONDS);
                            }
                            done.completeExceptionally(failure);
                        });
        return done;
    }

    private void connected(
            StatefulRedisConnection<String, byte[]> c,
            StatefulRedisPubSubConnection<String, byte[]> p) {
        if (closing) {
            c.closeAsync();
            p.closeAsync();
            return;
        }
        p.addListener(
                new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String pubSubChannel, byte[] message) {
                        heard(pubSubChannel, message);
                    }
                });
        pubSub = p;
        commands = c;
        connectedOnce = true;
        LOG.info("redis engine: connected to {}", shownUrl);
        preloadScripts(c);
        // Subscribers that came while Redis had never been reached wait for their first read:
        // the sweep does it (it listens to every channel not yet known).
    }

    /**
     * {@code SCRIPT LOAD} of both scripts once per connection; a failure costs nothing but one
     * {@code NOSCRIPT} and {@code EVAL} later (LuaScript).
     */
    private void preloadScripts(StatefulRedisConnection<String, byte[]> c) {
        for (LuaScript script : List.of(APPEND, READ)) {
            try {
                script.preload(c.async())
                        .whenComplete(
                                (sha, failure) -> {
                                    if (failure != null) {
                                        LOG.debug(
                                                "redis engine: SCRIPT LOAD {} failed: {}",
                                                script.name,
                                                rootMessage(failure));
                                    } else if (!script.sha().equals(sha)) {
                                        LOG.warn(
                                                "redis engine: Redis names {} {}, not {}",
                                                script.name,
                                                sha,
                                                script.sha());
                                    }
                                });
            } catch (RuntimeException away) {
                return; // the connection went again; calls fall back to EVAL
            }
        }
    }

    /** Redis had forgotten a script (SCRIPT FLUSH, a restart, a failover): it was sent again. */
    private void scriptReloaded() {
        LOG.debug("redis engine: Redis had forgotten a script; sent it again");
    }

    /**
     * The URL as Lettuce reads it; with a password file, its password comes from the file at every
     * connection (the default user, Redis's {@code AUTH PASSWORD}).
     */
    private RedisURI redisUri() {
        RedisURI uri = RedisURI.create(url);
        if (passwordFile != null) {
            java.nio.file.Path file = passwordFile;
            uri.setCredentialsProvider(
                    RedisCredentialsProvider.from(
                            () -> RedisCredentials.just(null, readPassword(file))));
        }
        return uri;
    }

    /**
     * The file's text without its line end (a Secret's key written by hand often has one); a
     * failure names the file, never its content.
     */
    static char[] readPassword(java.nio.file.Path file) {
        String text;
        try {
            text = java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the Redis password file "
                            + file
                            + ": "
                            + e.getClass().getSimpleName(),
                    e);
        }
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end).toCharArray();
    }

    @Override
    public boolean available() {
        StatefulRedisConnection<String, byte[]> c = commands;
        StatefulRedisPubSubConnection<String, byte[]> p = pubSub;
        return c != null && c.isOpen() && p != null && p.isOpen();
    }

    @Override
    public String unavailableReason() {
        return connectedOnce
                ? "redis at " + shownUrl + " is not reachable (lost the connection)"
                : "redis at "
                        + shownUrl
                        + " has not been reached yet"
                        + (lastFailure == null ? "" : " (" + lastFailure + ")");
    }

    @Override
    public CompletableFuture<Long> publish(String channel, byte[] data) throws HubException {
        StatefulRedisConnection<String, byte[]> commands = this.commands;
        if (commands == null) {
            throw new HubException(HubException.UNAVAILABLE, unavailableReason());
        }
        String[] keys = {
            redisKeys.epoch,
            redisKeys.channels,
            redisKeys.counter(channel),
            redisKeys.log(channel),
            redisKeys.bytes(channel)
        };
        byte[][] args = {
            ascii(channel),
            data,
            retainEvents,
            retainBytes,
            retainAgeMillis,
            maxChannels,
            ascii(Epoch.random()),
            ascii(redisKeys.events(channel))
        };
        CompletableFuture<List<Object>> reply;
        try {
            reply = APPEND.run(commands.async(), keys, args, this::scriptReloaded);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return reply.thenApply(
                r -> {
                    long id = (Long) r.get(0);
                    // Trims by count, bytes or age this append made, and the realm's channels.
                    for (long n = (Long) r.get(2); n > 0; n--) {
                        stats.evicted();
                    }
                    stats.storeChannels((Long) r.get(3));
                    if (id < 0) {
                        throw new java.util.concurrent.CompletionException(
                                new HubException(
                                        "too-many-channels",
                                        "the realm holds its maximum of "
                                                + new String(maxChannels, StandardCharsets.US_ASCII)
                                                + " channels"));
                    }
                    return id;
                });
    }

    @Override
    public void subscribe(String channel, Position at, Subscriber s, JsonNode ref)
            throws HubException {
        while (true) {
            RemoteChannel c = channels.get(channel);
            boolean fresh = false;
            if (c == null) {
                RemoteChannel made = new RemoteChannel(channel, actions);
                c = channels.putIfAbsent(channel, made);
                if (c == null) {
                    c = made;
                    fresh = true;
                    stats.listening(1);
                }
            }
            RemoteChannel.Added added = c.subscribe(s, at, ref);
            if (added != RemoteChannel.Added.RETIRED) {
                if (added == RemoteChannel.Added.NEW) {
                    stats.subscriptions(1);
                }
                if (fresh) {
                    listen(c);
                }
                return;
            }
            Thread.onSpinWait(); // retired between lookup and use: take the fresh one
        }
    }

    @Override
    public void unsubscribe(String channel, Subscriber s) {
        RemoteChannel c = channels.get(channel);
        if (c == null || !c.unsubscribe(s)) {
            return;
        }
        stats.subscriptions(-1);
        if (c.retireIfEmpty() && channels.remove(channel, c)) {
            stats.listening(-1);
            if (pubSub != null && !channels.containsKey(channel)) {
                try {
                    pubSub.async().unsubscribe(redisKeys.events(channel));
                } catch (RuntimeException away) {
                    // Redis is away: the subscription went with the connection.
                }
            }
        }
    }

    @Override
    public long lastId(String channel) {
        RemoteChannel c = channels.get(channel);
        return c == null ? 0 : c.lastId();
    }

    @Override
    public String epoch(String channel) {
        RemoteChannel c = channels.get(channel);
        return c == null ? knownEpoch : c.epoch();
    }

    @Override
    public int channelCount() {
        return channels.size();
    }

    /** First subscriber here: hear the channel on pub/sub, then read where it stands. */
    private void listen(RemoteChannel c) {
        StatefulRedisPubSubConnection<String, byte[]> pubSub = this.pubSub;
        if (pubSub == null) {
            return; // Redis not reached yet: the sweep listens once it is
        }
        CompletableFuture<Void> subscribed;
        try {
            subscribed = pubSub.async().subscribe(redisKeys.events(c.name)).toCompletableFuture();
        } catch (RuntimeException away) {
            return; // the sweep tries again
        }
        subscribed.whenComplete(
                (ok, failure) -> {
                    if (failure == null) {
                        learn(c);
                    }
                });
    }

    /** Reads the channel's epoch and newest id, so that its waiting subscribers can start. */
    private void learn(RemoteChannel c) {
        read(c.name, 1, 0, 0)
                .whenComplete(
                        (r, failure) -> {
                            if (failure != null) {
                                return; // the sweep tries again
                            }
                            knownEpoch = r.epoch();
                            for (RemoteChannel.Join j : c.learned(r.epoch(), r.newest())) {
                                actions.readReplay(c, j);
                            }
                            actions.catchUp(c);
                        });
    }

    private void heard(String pubSubChannel, byte[] message) {
        String channel = redisKeys.channelOf(pubSubChannel);
        RemoteChannel c = channel == null ? null : channels.get(channel);
        if (c == null) {
            return;
        }
        // EPOCH SP ID SP DATA (append.lua)
        int first = indexOf(message, (byte) ' ', 0);
        int second = first < 0 ? -1 : indexOf(message, (byte) ' ', first + 1);
        if (second < 0) {
            return;
        }
        String epoch = new String(message, 0, first, StandardCharsets.US_ASCII);
        long id;
        try {
            id =
                    Long.parseLong(
                            new String(
                                    message,
                                    first + 1,
                                    second - first - 1,
                                    StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return;
        }
        c.heard(epoch, id, Arrays.copyOfRange(message, second + 1, message.length));
    }

    /**
     * Once a second: the realm's channel count; a new epoch in Redis (flushed while connected)
     * resets every channel; after a reconnect, and for channels whose first read failed, everything
     * is read again.
     */
    private void sweep() {
        try {
            if (!available()) {
                return;
            }
            boolean resync = resyncSweeps.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            // The realm's channel count for the metrics: O(1) in Redis, and also learnt from each
            // publish; a realm that only serves subscribers learns it here.
            commands.async()
                    .scard(redisKeys.channels)
                    .whenComplete(
                            (n, failure) -> {
                                if (failure == null) {
                                    stats.storeChannels(n);
                                }
                            });
            for (RemoteChannel c : channels.values()) {
                if (!c.known()) {
                    listen(c);
                } else if (resync) {
                    actions.catchUp(c);
                }
            }
            if (!resync && !channels.isEmpty()) {
                commands.async()
                        .get(redisKeys.epoch)
                        .whenComplete(
                                (epoch, failure) -> {
                                    String now =
                                            epoch == null
                                                    ? null
                                                    : new String(epoch, StandardCharsets.US_ASCII);
                                    if (failure == null
                                            && !java.util.Objects.equals(now, knownEpoch)) {
                                        for (RemoteChannel c : channels.values()) {
                                            actions.catchUp(c);
                                        }
                                    }
                                });
            }
        } catch (RuntimeException e) {
            LOG.debug("redis engine: sweep failed", e);
        }
    }

    private record Read(String epoch, long newest, List<RemoteChannel.Entry> entries) {}

    /** read.lua: the channel's epoch, newest id and its retained entries from {@code first}. */
    private CompletableFuture<Read> read(String channel, long first, long last, int count) {
        StatefulRedisConnection<String, byte[]> commands = this.commands;
        if (commands == null) {
            return CompletableFuture.failedFuture(
                    new HubException(HubException.UNAVAILABLE, unavailableReason()));
        }
        String[] keys = {redisKeys.epoch, redisKeys.counter(channel), redisKeys.log(channel)};
        byte[][] args = {
            ascii(first), ascii(last), ascii(Math.max(count, 1)), ascii(Epoch.random())
        };
        CompletableFuture<List<Object>> reply;
        try {
            reply = READ.run(commands.async(), keys, args, this::scriptReloaded);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return reply.thenApply(
                r -> {
                    String epoch = new String((byte[]) r.get(0), StandardCharsets.US_ASCII);
                    long newest = (Long) r.get(1);
                    List<RemoteChannel.Entry> entries = new ArrayList<>();
                    if (count > 0) {
                        for (int i = 2; i + 1 < r.size(); i += 2) {
                            entries.add(
                                    new RemoteChannel.Entry(
                                            (Long) r.get(i), (byte[]) r.get(i + 1)));
                        }
                    }
                    return new Read(epoch, newest, entries);
                });
    }

    private final class ChannelActions implements RemoteChannel.Actions {
        @Override
        public void readReplay(RemoteChannel c, RemoteChannel.Join join) {
            long span = join.upTo - join.from;
            read(c.name, join.from + 1, join.upTo, (int) Math.min(Integer.MAX_VALUE, span))
                    .whenComplete(
                            (r, failure) -> {
                                if (failure == null) {
                                    c.replayed(join, r.epoch(), r.entries());
                                } else if (!closing && c.pending(join)) {
                                    // Redis is away: try again, the subscriber waits.
                                    resources
                                            .eventExecutorGroup()
                                            .schedule(
                                                    () -> readReplay(c, join),
                                                    SWEEP.toMillis(),
                                                    TimeUnit.MILLISECONDS);
                                }
                            });
        }

        @Override
        public void catchUp(RemoteChannel c) {
            if (c.startCatchUp()) {
                readAfterCursor(c);
            }
        }

        private void readAfterCursor(RemoteChannel c) {
            read(c.name, c.cursor() + 1, 0, BATCH)
                    .whenComplete(
                            (r, failure) -> {
                                if (failure != null) {
                                    c.catchUpFailed();
                                    return;
                                }
                                knownEpoch = r.epoch();
                                if (c.caughtUp(r.epoch(), r.newest(), r.entries(), BATCH)) {
                                    readAfterCursor(c);
                                }
                            });
        }
    }

    @Override
    public void close() {
        closing = true;
        if (sweep != null) {
            sweep.cancel(false);
        }
        // Shutting the client down closes both connections.
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (resources != null) {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private static int indexOf(byte[] b, byte x, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] ascii(Object v) {
        return String.valueOf(v).getBytes(StandardCharsets.US_ASCII);
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null) {
            r = r.getCause();
        }
        return r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
    }
}
