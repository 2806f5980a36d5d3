package io.realmgate.realm;

import io.netty.util.internal.PlatformDependent;
import io.realmgate.realm.config.CommandLine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * A realm process for {@link ConnectionCostTest}: the realm started from its flags, which on each
 * {@code measure} line read from stdin collects garbage and prints the heap and direct memory in
 * use. Its own process, so that the clients' sockets and buffers are not counted; it stops when
 * stdin closes (the test ended, or died).
 */
public final class ConnectionCostProbe {
    private ConnectionCostProbe() {}

    public static void main(String[] args) throws Exception {
        RealmServer server = new RealmServer(CommandLine.parse(args)).start();
        System.out.println(
                "ports " + server.wsAddress().getPort() + " " + server.wssAddress().getPort());
        System.out.flush();
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("measure")) {
                    System.out.println("memory " + heapAfterGc() + " " + directInUse());
                    System.out.flush();
                }
            }
        } finally {
            server.close();
        }
    }

    /** Live heap: used after full collections, repeated until it stops shrinking (at most 5). */
    private static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return now;
            }
            used = now;
        }
        return used;
    }

    /**
     * Direct memory in use: Netty's own (its allocator's chunks and unpooled buffers without a
     * cleaner) plus the JDK's direct buffers (NIO's and the ones Netty allocates with a cleaner).
     */
    private static long directInUse() {
        long netty = Math.max(0, PlatformDependent.usedDirectMemory());
        long jdk = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                jdk = pool.getMemoryUsed();
            }
        }
        return netty + jdk;
    }
}
