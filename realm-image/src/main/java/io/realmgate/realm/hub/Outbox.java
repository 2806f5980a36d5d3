package io.realmgate.realm.hub;

import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection's queue of server frames, between the hub (any thread, channel lock held) and the
 * connection's event loop, which drains it into the socket while the socket is writable. Bounded in
 * frames and bytes: a connection that falls further behind than that is reported once to its
 * transport ({@link Sink#overflow()}) and receives nothing more.
 */
public final class Outbox implements Subscriber {
    /** What a transport does with frames; every method runs on the connection's event loop. */
    public interface Sink {
        /** Whether the connection can take another frame now (Netty's writability). */
        boolean ready();

        void write(Frame frame);

        void flush();

        /** The queue overflowed: the peer is too slow. Called once. */
        void overflow();
    }

    private final EventExecutor loop;
    private final int maxFrames;
    private final long maxBytes;
    private final Sink sink;
    private final ConcurrentLinkedQueue<Frame> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger frames = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean shut = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private volatile java.util.function.IntConsumer replays = n -> {};

    public Outbox(EventExecutor loop, int maxFrames, long maxBytes, Sink sink) {
        this.loop = loop;
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.sink = sink;
    }

    @Override
    public void deliver(Frame frame) {
        if (enqueue(frame)) {
            scheduleDrain();
        }
    }

    /** Queues every frame before the drain is scheduled, so one drain writes them together. */
    @Override
    public void deliverAll(List<Frame> batch) {
        boolean any = false;
        for (Frame f : batch) {
            if (!enqueue(f)) {
                break;
            }
            any = true;
        }
        if (any) {
            scheduleDrain();
        }
    }

    /**
     * Where this connection's replays are charged ({@code --replay-rate}): called with the number
     * of events each replay delivered, from whichever thread the engine delivered it on.
     */
    public void chargeReplaysTo(java.util.function.IntConsumer budget) {
        this.replays = budget;
    }

    @Override
    public void replayed(int events) {
        if (events > 0) {
            replays.accept(events);
        }
    }

    private boolean enqueue(Frame frame) {
        if (shut.get()) {
            return false;
        }
        if (frames.incrementAndGet() > maxFrames || bytes.addAndGet(frame.size()) > maxBytes) {
            // Everything queued so far stays in order; from here on this connection gets nothing,
            // so what it did receive has no hole in it.
            if (shut.compareAndSet(false, true)) {
                loop.execute(sink::overflow);
            }
            return false;
        }
        queue.add(frame);
        return true;
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(drainTask);
        }
    }

    /**
     * Writes queued frames while the connection is writable; call again when it becomes writable.
     */
    public void drain() {
        drainScheduled.set(false);
        boolean wrote = false;
        while (sink.ready()) {
            Frame f = queue.poll();
            if (f == null) {
                break;
            }
            frames.decrementAndGet();
            bytes.addAndGet(-f.size());
            sink.write(f);
            wrote = true;
        }
        if (wrote) {
            sink.flush();
        }
    }

    /** Frames still waiting (not yet handed to the socket). */
    public int backlog() {
        return Math.max(0, frames.get());
    }

    /**
     * Stops accepting frames and forgets queued ones; nothing to release, frames are plain arrays.
     */
    public void shut() {
        shut.set(true);
        queue.clear();
    }

    public boolean isShut() {
        return shut.get();
    }
}
