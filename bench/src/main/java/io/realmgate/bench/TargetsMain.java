package io.realmgate.bench;

import io.realmgate.tests.peers.WebSocketEchoServer;
import java.io.IOException;
import java.time.Duration;

/**
 * The target servers in a process of their own ({@link TargetsProcess} starts it): pinned with the
 * proxies rather than with the client, and with a descriptor limit of its own for the ten thousand
 * idle tunnels that end at the echo server. It prints one line with its ports, then serves until
 * its standard input closes, which happens when the benchmark ends in any way, so it never outlives
 * it.
 */
public final class TargetsMain {
    static final String READY = "targets";

    private TargetsMain() {}

    public static void main(String[] args) throws Exception {
        try (Watchdog watchdog = new Watchdog(Duration.ofMillis(ProxyBench.TIMEOUT_MS));
                SinkServer sink = new SinkServer(watchdog);
                SourceServer source = new SourceServer(watchdog);
                EchoTarget echo = new EchoTarget();
                WebSocketEchoServer ws = WebSocketEchoServer.ws(0)) {
            System.out.println(
                    READY
                            + " sink="
                            + sink.address().getPort()
                            + " source="
                            + source.address().getPort()
                            + " echo="
                            + echo.address().getPort()
                            + " ws="
                            + ws.port());
            System.out.flush();
            // Blocks until the parent closes the pipe or dies.
            while (System.in.read() >= 0) {
                // nothing is sent on it
            }
        } catch (IOException e) {
            System.err.println("targets: " + e);
            System.exit(1);
        }
        System.exit(0);
    }
}
