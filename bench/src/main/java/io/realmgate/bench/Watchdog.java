package io.realmgate.bench;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes a channel that has made no progress for the idle limit. Blocking NIO channels ignore
 * {@code SO_TIMEOUT}, and the throughput path wants channels with direct buffers, so this is what
 * bounds a stuck read or write: closing the channel wakes the blocked thread with an exception.
 */
final class Watchdog implements AutoCloseable {
    private final long idleNanos;
    private final Set<Guard> guards = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean closed;

    Watchdog(Duration idle) {
        this.idleNanos = idle.toNanos();
        this.thread = new Thread(this::scan, "bench-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    Guard watch(Closeable channel) {
        Guard g = new Guard(channel);
        guards.add(g);
        return g;
    }

    private void scan() {
        while (!closed) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Guard g : guards) {
                if (now - g.lastProgress > idleNanos) {
                    g.expire();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }

    @Override
    public String toString() {
        return "watchdog";
    }

    final class Guard implements AutoCloseable {
        private final Closeable channel;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean expired;

        private Guard(Closeable channel) {
            this.channel = channel;
        }

        /** Called after every read or write that moved bytes: one clock read per 1 MiB is noise. */
        void progress() {
            lastProgress = System.nanoTime();
        }

        private void expire() {
            expired = true;
            guards.remove(this);
            try {
                channel.close();
            } catch (IOException ignored) {
                // the point was to close it; a failure here changes nothing
            }
        }

        /**
         * The exception to report: a timeout if this guard closed the channel, else the original.
         */
        IOException explain(IOException e) {
            if (!expired) {
                return e;
            }
            SocketTimeoutException t =
                    new SocketTimeoutException(
                            "no progress for " + Duration.ofNanos(idleNanos).toSeconds() + " s");
            t.initCause(e);
            return t;
        }

        @Override
        public void close() {
            guards.remove(this);
        }
    }
}
