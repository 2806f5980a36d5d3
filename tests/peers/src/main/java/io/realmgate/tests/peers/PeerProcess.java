package io.realmgate.tests.peers;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A peer server (Apache httpd, Squid, tinyproxy) running in the foreground from a private
 * directory: started, waited for until it listens on its loopback port, and stopped with its
 * children, its directory removed. Start-up failures carry the peer's own logs.
 */
final class PeerProcess implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final int port;
    private final List<String> logFiles;

    private PeerProcess(Path dir, Process process, int port, List<String> logFiles) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.logFiles = logFiles;
    }

    /**
     * @param logFiles files in {@code dir} that make up the peer's log; the first receives stdout
     *     and stderr
     */
    static PeerProcess start(
            String name,
            List<String> command,
            Path dir,
            int port,
            List<String> logFiles,
            Duration wait)
            throws IOException, InterruptedException {
        return start(name, List.of(), command, dir, port, logFiles, wait);
    }

    /**
     * @param prefix programs that set something up and then exec the peer, keeping its process id
     *     (e.g. {@code taskset -c 1}, {@code prlimit --nofile=N:N}); empty for none
     */
    static PeerProcess start(
            String name,
            List<String> prefix,
            List<String> command,
            Path dir,
            int port,
            List<String> logFiles,
            Duration wait)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        Process p =
                new ProcessBuilder(full)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve(logFiles.get(0)).toFile())
                        .start();
        PeerProcess peer = new PeerProcess(dir, p, port, logFiles);
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                String log = peer.logs();
                peer.close();
                throw new IllegalStateException(
                        name + " exited with " + p.exitValue() + ":\n" + log);
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return peer;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        String log = peer.logs();
        peer.close();
        throw new IllegalStateException(
                name
                        + " did not listen on "
                        + port
                        + " within "
                        + wait.toSeconds()
                        + " s:\n"
                        + log);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    String logs() {
        StringBuilder sb = new StringBuilder();
        for (String f : logFiles) {
            try {
                sb.append(Files.readString(dir.resolve(f)));
            } catch (IOException ignored) {
                // not written yet
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        // SIGTERM to the parent stops its children too; what is left after the grace period is
        // killed.
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
