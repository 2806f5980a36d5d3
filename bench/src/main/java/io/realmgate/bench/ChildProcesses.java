package io.realmgate.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Starting and stopping the processes the benchmark runs (our proxy, the realm, the ceiling relay,
 * the targets): a port for them, waiting until they listen, stopping them, removing their temporary
 * directories.
 */
final class ChildProcesses {
    private ChildProcesses() {}

    /**
     * Waits until {@code address} accepts a connection. On failure (the process exited, or the time
     * ran out) the exception carries {@code what} and the process's log; the caller stops the
     * process.
     */
    static void awaitListening(
            Process process,
            InetSocketAddress address,
            int seconds,
            String what,
            Supplier<String> log)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        // At most seconds * 20 probes, 50 ms apart.
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        what + " exited with " + process.exitValue() + ":\n" + log.get());
            }
            try (Socket s = new Socket()) {
                s.connect(address, 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException(
                what
                        + " did not listen on "
                        + address.getPort()
                        + " within "
                        + seconds
                        + " s:\n"
                        + log.get());
    }

    /** Asks the process to stop (SIGTERM), then kills it if it has not after 10 s. */
    static void stop(Process process) {
        process.destroy();
        awaitExit(process);
    }

    /** Waits up to 10 s for a process that was asked to stop, then kills it. */
    static void awaitExit(Process process) {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** A loopback port free right now, for a child process to listen on. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Removes a child's temporary directory and everything in it; what cannot be removed stays. */
    static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
