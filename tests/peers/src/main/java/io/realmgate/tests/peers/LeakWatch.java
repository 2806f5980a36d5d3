package io.realmgate.tests.peers;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Collects Netty's leak reports. Netty finds a leaked buffer when the buffer is garbage collected
 * without having been released, and says so through its logger the next time a buffer is allocated;
 * this class listens on that logger, provokes collection, and hands back what it heard. The test
 * JVM runs with {@code -Dio.netty.leakDetection.level=paranoid} (parent pom), so every buffer is
 * tracked.
 */
public final class LeakWatch extends AppenderBase<ILoggingEvent> {
    private final List<String> leaks = new CopyOnWriteArrayList<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);

    public static LeakWatch install() {
        LeakWatch w = new LeakWatch();
        w.setName("leak-watch");
        w.start();
        w.logger.addAppender(w);
        return w;
    }

    @Override
    protected void append(ILoggingEvent e) {
        if (e.getFormattedMessage().contains("LEAK")) {
            leaks.add(e.getFormattedMessage());
        }
    }

    /**
     * Collects garbage and allocates so pending reports are made, then returns every report seen.
     */
    public List<String> leaks() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            for (int k = 0; k < 100; k++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                b.release();
            }
        }
        return List.copyOf(leaks);
    }

    public void uninstall() {
        logger.detachAppender(this);
        stop();
    }

    public static String level() {
        return ResourceLeakDetector.getLevel().name();
    }
}
