package io.realmgate.bench;

import io.realmgate.tests.peers.ApacheForwardProxy;
import io.realmgate.tests.peers.SquidForwardProxy;
import io.realmgate.tests.peers.TinyproxyForwardProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A proxy under test, running: ours from its jar or one of the Debian peers, each configured like
 * the reference scenario (CONNECT only to the target ports, clients from 127.0.0.1 only, Via on)
 * and sized for the tunnels it must hold. Gives the benchmark what it needs of any of them: the
 * address, the process id (memory), and the log lines worth a note.
 */
final class RunningProxy implements AutoCloseable {
    /** Apache's error log level field, e.g. {@code [proxy:error]}. */
    private static final Pattern APACHE_TROUBLE =
            Pattern.compile("\\[[a-z_]+:(warn|error|crit|alert|emerg)\\]");

    private static final Pattern SQUID_TROUBLE =
            Pattern.compile("WARNING|ERROR|FATAL|assertion failed");

    private final String name;
    private final InetSocketAddress address;
    private final long pid;
    private final AutoCloseable handle;
    private final Supplier<List<String>> trouble;

    private RunningProxy(
            String name,
            InetSocketAddress address,
            long pid,
            AutoCloseable handle,
            Supplier<List<String>> trouble) {
        this.name = name;
        this.address = address;
        this.pid = pid;
        this.handle = handle;
        this.trouble = trouble;
    }

    static boolean installed(String name, Path proxyJar) {
        return switch (name) {
            case Subject.REALMGATE -> Files.isRegularFile(proxyJar);
            case Subject.APACHE -> ApacheForwardProxy.available();
            case Subject.SQUID -> SquidForwardProxy.available();
            case Subject.TINYPROXY -> TinyproxyForwardProxy.available();
            case Subject.CEILING -> CeilingRelay.available();
            default -> false;
        };
    }

    static String installHint(String name) {
        return switch (name) {
            case Subject.REALMGATE ->
                    "build it: ./mvnw -o -q -pl proxy-image -am package -DskipTests";
            case Subject.APACHE ->
                    "needs /usr/sbin/apache2 and mod_proxy_connect: apt-get install apache2";
            case Subject.SQUID -> "needs /usr/sbin/squid: apt-get install squid";
            case Subject.TINYPROXY -> "needs /usr/bin/tinyproxy: apt-get install tinyproxy-bin";
            default ->
                    "needs /usr/bin/gcc to build bench/ceiling/tunnel-relay.c: apt-get install gcc";
        };
    }

    /**
     * @param tunnels tunnels it must hold at once (idle ones, plus the concurrent set-up's):
     *     workers for Apache, MaxClients for tinyproxy, per-client cap for ours; Squid gets
     *     max_filedescriptors = the launch's descriptor limit
     */
    static RunningProxy start(
            String name, Path proxyJar, List<Integer> targetPorts, ChildLaunch launch, int tunnels)
            throws IOException, InterruptedException {
        List<String> clients = List.of("127.0.0.1");
        switch (name) {
            case Subject.REALMGATE -> {
                RealmgateProcess p =
                        RealmgateProcess.start(proxyJar, targetPorts, launch.prefix(), tunnels);
                return new RunningProxy(
                        name,
                        p.address(),
                        p.pid(),
                        p,
                        () -> {
                            List<String> lines = p.logLines();
                            return p.alive()
                                    ? lines
                                    : concat("the proxy process exited during the run", lines);
                        });
            }
            case Subject.APACHE -> {
                ApacheForwardProxy p =
                        ApacheForwardProxy.start(
                                new ApacheForwardProxy.Settings(
                                        targetPorts, clients, true, tunnels),
                                launch.prefix());
                return new RunningProxy(
                        name,
                        p.address(),
                        p.pid(),
                        p,
                        () ->
                                p.logs()
                                        .lines()
                                        .filter(l -> APACHE_TROUBLE.matcher(l).find())
                                        .toList());
            }
            case Subject.SQUID -> {
                SquidForwardProxy p =
                        SquidForwardProxy.start(
                                targetPorts,
                                clients,
                                launch.prefix(),
                                (int) Math.min(Integer.MAX_VALUE, launch.fileLimit()));
                return new RunningProxy(
                        name,
                        p.address(),
                        p.pid(),
                        p,
                        () ->
                                p.logs()
                                        .lines()
                                        .filter(l -> SQUID_TROUBLE.matcher(l).find())
                                        .toList());
            }
            case Subject.TINYPROXY -> {
                TinyproxyForwardProxy p =
                        TinyproxyForwardProxy.start(targetPorts, clients, launch.prefix(), tunnels);
                // Its log level is Warning: every line it writes is worth reading, except the one
                // about
                // the start-up probe (a connect and close to see that it listens).
                return new RunningProxy(
                        name,
                        p.address(),
                        p.pid(),
                        p,
                        () ->
                                p.logs()
                                        .lines()
                                        .filter(
                                                l ->
                                                        !l.isBlank()
                                                                && !l.contains(
                                                                        "closed socket before read"))
                                        .toList());
            }
            case Subject.CEILING -> {
                CeilingRelay p = CeilingRelay.start(launch.prefix());
                return new RunningProxy(
                        name,
                        p.address(),
                        p.pid(),
                        p,
                        () -> {
                            List<String> lines = p.logLines();
                            return p.alive()
                                    ? lines
                                    : concat("the ceiling relay exited during the run", lines);
                        });
            }
            default -> throw new IllegalArgumentException("unknown proxy " + name);
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        return Stream.concat(Stream.of(first), rest.stream()).toList();
    }

    String name() {
        return name;
    }

    InetSocketAddress address() {
        return address;
    }

    long pid() {
        return pid;
    }

    Subject subject() {
        return new Subject(name, address);
    }

    /**
     * Warnings and errors the proxy logged so far; read before close removes the peers'
     * directories.
     */
    List<String> troubleLines() {
        return trouble.get();
    }

    @Override
    public void close() throws Exception {
        handle.close();
    }

    @Override
    public String toString() {
        return name + " (pid " + pid + ")";
    }
}
