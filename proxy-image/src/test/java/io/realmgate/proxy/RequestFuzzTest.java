package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.tests.peers.EchoServer;
import io.realmgate.tests.peers.HttpOrigin;
import io.realmgate.tests.peers.LeakWatch;
import io.realmgate.tests.peers.ProxyClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of mutated requests (fixed seed, so a failure replays) thrown at the proxy: valid
 * CONNECT and absolute-URI requests to an allowed and a refused target, with bytes flipped,
 * inserted, deleted, lines duplicated, ports swapped and heads truncated. Whatever the proxy
 * answers, it must not crash, must not leak a buffer (paranoid leak detection), must never connect
 * to the refused target, and must still serve a clean request afterwards.
 */
@Timeout(120)
class RequestFuzzTest {
    static final long SEED = 20261124L;
    static final int CASES = 2500;

    @Test
    void mutatedRequestsNeverCrashLeakOrReachARefusedTarget() throws Exception {
        LeakWatch leaks = LeakWatch.install();
        try (HttpOrigin allowed = new HttpOrigin(0);
                EchoServer refused = EchoServer.plain(0);
                RunningProxy proxy =
                        RunningProxy.start("--allow-connect", "127.0.0.1:" + allowed.port())) {
            List<byte[]> inputs = new ArrayList<>(CASES);
            Random random = new Random(SEED);
            for (int i = 0; i < CASES; i++) {
                inputs.add(
                        mutate(
                                seedRequest(random, allowed.port(), refused.port()),
                                random,
                                refused.port()));
            }
            AtomicInteger answered = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (byte[] input : inputs) {
                    done.add(
                            pool.submit(
                                    () -> {
                                        if (send(proxy, input)) {
                                            answered.incrementAndGet();
                                        }
                                        return null;
                                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            System.out.printf(
                    "fuzz: %d mutated requests (seed %d), %d answered with an HTTP status%n",
                    CASES, SEED, answered.get());
            assertThat(refused.accepted()).as("connections to the refused target").isZero();
            assertThat(answered.get()).as("cases answered with an HTTP status").isPositive();
            // Still healthy: a clean request works.
            try (Socket s = ProxyClient.open(proxy.address(), null, 5_000)) {
                ProxyClient.send(
                        s,
                        "GET http://127.0.0.1:"
                                + allowed.port()
                                + "/after-fuzz HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(ProxyClient.readHead(s.getInputStream()).status()).isEqualTo(200);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (proxy.server().openClientConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(proxy.server().openClientConnections()).as("connections left open").isZero();
        }
        try {
            assertThat(leaks.leaks()).isEmpty();
        } finally {
            leaks.uninstall();
        }
    }

    /**
     * Sends one input, half-closes, reads what comes back briefly. True if an HTTP status came
     * back.
     */
    static boolean send(RunningProxy proxy, byte[] input) {
        try (Socket s = ProxyClient.open(proxy.address(), null, 300)) {
            try {
                s.getOutputStream().write(input);
                s.shutdownOutput();
            } catch (IOException closedEarly) {
                // the proxy may refuse and close before everything is written
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int r; got.size() < 65536 && (r = in.read(buf)) > 0; ) {
                    got.write(buf, 0, r);
                }
            } catch (IOException timeoutOrReset) {
                // bounded by the 300 ms read timeout
            }
            return got.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 ");
        } catch (IOException e) {
            return false;
        }
    }

    static byte[] seedRequest(Random random, int allowed, int refused) {
        int port = random.nextInt(4) == 0 ? refused : allowed;
        String r =
                switch (random.nextInt(5)) {
                    case 0 ->
                            "CONNECT 127.0.0.1:"
                                    + port
                                    + " HTTP/1.1\r\nHost: 127.0.0.1:"
                                    + port
                                    + "\r\n\r\nhello";
                    case 1 ->
                            "GET http://127.0.0.1:"
                                    + port
                                    + "/a?b=c HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n";
                    case 2 ->
                            "POST http://127.0.0.1:"
                                    + port
                                    + "/p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
                    case 3 ->
                            "POST http://127.0.0.1:"
                                    + port
                                    + "/c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    + "5\r\nhello\r\n0\r\n\r\n";
                    default ->
                            "GET http://127.0.0.1:"
                                    + port
                                    + "/1 HTTP/1.1\r\nHost: x\r\n\r\nGET http://127.0.0.1:"
                                    + port
                                    + "/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
                };
        return r.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] mutate(byte[] in, Random random, int refusedPort) {
        byte[] special =
                " \t\r\n:\0/%@[]-,;\"\u007f\u00ff0123456789".getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(in);
        int rounds = 1 + random.nextInt(4);
        byte[] b = in;
        for (int k = 0; k < rounds; k++) {
            b = out.toByteArray();
            out.reset();
            if (b.length == 0) {
                out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                continue;
            }
            int at = random.nextInt(b.length);
            switch (random.nextInt(7)) {
                case 0 -> { // flip a byte
                    b[at] = (byte) random.nextInt(256);
                    out.writeBytes(b);
                }
                case 1 -> { // insert special bytes
                    out.write(b, 0, at);
                    for (int n = random.nextInt(4) + 1; n > 0; n--) {
                        out.write(special[random.nextInt(special.length)]);
                    }
                    out.write(b, at, b.length - at);
                }
                case 2 -> { // delete a range
                    int len = Math.min(b.length - at, 1 + random.nextInt(8));
                    out.write(b, 0, at);
                    out.write(b, at + len, b.length - at - len);
                }
                case 3 -> { // duplicate a stretch (header lines, CRLFs)
                    int len = Math.min(b.length - at, 1 + random.nextInt(40));
                    out.write(b, 0, at + len);
                    out.write(b, at, b.length - at);
                }
                case 4 -> { // truncate
                    out.write(b, 0, at);
                }
                case 5 -> { // point it at the refused target
                    out.writeBytes(
                            new String(b, StandardCharsets.ISO_8859_1)
                                    .replaceFirst(":\\d{2,5}", ":" + refusedPort)
                                    .getBytes(StandardCharsets.ISO_8859_1));
                }
                default -> { // a long run
                    out.write(b, 0, at);
                    out.writeBytes(
                            ("x".repeat(1 + random.nextInt(20_000)))
                                    .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(b, at, b.length - at);
                }
            }
        }
        return out.toByteArray();
    }
}
