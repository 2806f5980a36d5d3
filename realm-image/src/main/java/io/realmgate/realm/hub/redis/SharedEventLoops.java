package io.realmgate.realm.hub.redis;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Hands Lettuce the realm's own connection loops instead of letting it start loops of its own, so
 * that the Redis connections' I/O runs on the threads that serve the clients. A publish then writes
 * its script call, and its reply completes the ack, without waking another thread, and an event
 * heard on pub/sub is queued for subscribers on a loop that writes them in the same turn
 * (decisions.md, "the fan-out's warm-up and the redis round trip"). The realm owns the loops:
 * Lettuce releasing or shutting down its resources leaves them running.
 */
final class SharedEventLoops implements EventLoopGroupProvider {
    private final EventLoopGroup loops;
    private final int threads;

    SharedEventLoops(EventLoopGroup loops, int threads) {
        this.loops = loops;
        this.threads = threads;
    }

    /**
     * Lettuce asks by the group class of the transport it chose; the caller made sure that is the
     * transport these loops serve ({@link RedisEngine#start(EventLoopGroup, Class)}).
     */
    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        return (T) loops;
    }

    @Override
    public int threadPoolSize() {
        return threads;
    }

    @Override
    public Future<Boolean> release(
            EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
