package io.realmgate.proxy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Records what one logger writes, for tests that check log lines (and that secrets never appear).
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
    }

    static LogCapture of(String loggerName) {
        LogCapture c = new LogCapture(loggerName);
        c.setName("capture");
        c.start();
        c.logger.addAppender(c);
        return c;
    }

    @Override
    protected void append(ILoggingEvent e) {
        lines.add(e.getFormattedMessage());
    }

    /** The lines so far, waiting up to 5 s for at least {@code n}. */
    List<String> awaitLines(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (lines.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
