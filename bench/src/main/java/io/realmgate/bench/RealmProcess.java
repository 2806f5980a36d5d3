package io.realmgate.bench;

import io.realmgate.tests.peers.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The realm from its shaded jar, in its own process, serving wss with a certificate issued by the
 * test CA (so the benchmark's clients can trust it), the plain listener off.
 */
final class RealmProcess implements AutoCloseable {
    private final Process process;
    private final int wssPort;
    private final Path dir;

    private RealmProcess(Process process, int wssPort, Path dir) {
        this.process = process;
        this.wssPort = wssPort;
        this.dir = dir;
    }

    /**
     * @param prefix programs that exec the JVM keeping its pid (taskset); empty for none
     */
    static RealmProcess start(Path jar, List<String> prefix)
            throws IOException, InterruptedException {
        return start(jar, prefix, List.of());
    }

    /**
     * @param prefix as for {@link #start(Path, List)}
     * @param flags more of the realm's flags, e.g. {@code --engine redis --redis-url URL}
     */
    static RealmProcess start(Path jar, List<String> prefix, List<String> flags)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("realmgate-bench-realm-");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Files.writeString(cert, TestCertificates.get().server().getCertificatePathPEM());
        Files.writeString(key, TestCertificates.get().server().getPrivateKeyPEM());
        key.toFile().setReadable(false, false);
        key.toFile().setReadable(true, true);
        int port = ChildProcesses.freePort();
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // JVM options for experiments (GC, JIT logging), as REALMGATE_BENCH_PROXY_JVM_OPTIONS is
        // for
        // the proxy; none by default: the realm runs on JVM defaults, like a user's java -jar.
        String jvmOptions =
                System.getenv().getOrDefault("REALMGATE_BENCH_REALM_JVM_OPTIONS", "").trim();
        if (!jvmOptions.isEmpty()) {
            command.addAll(List.of(jvmOptions.split("\\s+")));
        }
        command.addAll(
                List.of(
                        "-jar",
                        jar.toString(),
                        "--bind",
                        "127.0.0.1",
                        "--ws-port",
                        "off",
                        "--wss-port",
                        Integer.toString(port),
                        "--tls-cert",
                        cert.toString(),
                        "--tls-key",
                        key.toString(),
                        // Every client of the benchmark comes from 127.0.0.1: the per-address cap
                        // (1000 by default) would refuse the 1,000 subscribers plus the publisher.
                        "--max-connections-per-client",
                        "10000"));
        command.addAll(flags);
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("realm.log").toFile());
        pb.environment().put("REALMGATE_LOG_LEVEL", "WARN");
        RealmProcess realm = new RealmProcess(pb.start(), port, dir);
        try {
            ChildProcesses.awaitListening(
                    realm.process,
                    new InetSocketAddress("127.0.0.1", port),
                    30,
                    "realm",
                    () -> {
                        try {
                            return Files.readString(dir.resolve("realm.log"));
                        } catch (IOException e) {
                            return "(no log: " + e.getMessage() + ")";
                        }
                    });
        } catch (IOException | InterruptedException e) {
            realm.close();
            throw e;
        }
        return realm;
    }

    /** What the realm logged so far (at warn and above). */
    String log() {
        try {
            return Files.readString(dir.resolve("realm.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    InetSocketAddress wssAddress() {
        return new InetSocketAddress("127.0.0.1", wssPort);
    }

    List<Integer> ports() {
        return List.of(wssPort);
    }

    @Override
    public void close() {
        ChildProcesses.stop(process);
        ChildProcesses.deleteTree(dir);
    }
}
