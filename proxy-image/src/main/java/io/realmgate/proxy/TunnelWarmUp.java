package io.realmgate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.realmgate.common.InvalidSetting;
import io.realmgate.common.Transport;
import io.realmgate.proxy.access.ClientPolicy;
import io.realmgate.proxy.access.TargetRule;
import io.realmgate.proxy.config.ProxyConfig;
import io.realmgate.proxy.http.AuthCache;
import io.realmgate.proxy.http.ConnectionLimiter;
import io.realmgate.proxy.http.ProxyFrontendSettings;
import io.realmgate.proxy.http.ProxyPipelines;
import io.realmgate.proxy.ops.AccessLog;
import io.realmgate.proxy.ops.ProxyMetrics;
import io.realmgate.proxy.tunnel.Watermarks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tunnels through the proxy's own client pipeline, on loopback and before any listener opens, so
 * the JIT has compiled the tunnel path before the first real client arrives (issue 18: a cold JVM
 * pinned to one CPU set up its first thousand tunnels at a third of Apache's rate, most of its CPU
 * going to the interpreter and the compilers). Each warm-up tunnel is a real one: connect, {@code
 * CONNECT}, one byte to an echo target on the proxy's own event loops and back, close.
 *
 * <p>The warm-up has its own target rule (the echo's loopback port and nothing else), its own
 * connection counter and metrics, and its settings carry the silent access log ({@link
 * AccessLog#silent()}), so nothing a user configured is widened and nothing it reports counts these
 * tunnels. It never fails the start: a warm-up tunnel that fails ends the warm-up with a warning.
 */
final class TunnelWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelWarmUp.class);

    /** How many tunnels, from {@value #ENVIRONMENT}; 0 turns the warm-up off. */
    static final String ENVIRONMENT = "REALMGATE_PROXY_WARM_UP";

    /**
     * Off unless asked for: measured on JDK 17 with its default tiered compilation, a few thousand
     * warm-up tunnels left the C2 compiler still busy during the first real ones
     * (docs/decisions.md, issue 18), so the seconds it adds before the listener opens are the
     * user's choice.
     */
    static final int DEFAULT_TUNNELS = 0;

    static final int MAX_TUNNELS = 100_000;

    /** However many tunnels were asked for, the listeners open after at most this long. */
    static final Duration BUDGET = Duration.ofSeconds(10);

    private static final int READ_TIMEOUT_MS = 5_000;
    private static final int PING = 'w';

    private TunnelWarmUp() {}

    /** Builds the proxy's front-end settings for a config, its metrics and its access log. */
    @FunctionalInterface
    interface SettingsBuilder {
        ProxyFrontendSettings build(ProxyConfig config, ProxyMetrics metrics, AccessLog accessLog)
                throws IOException;
    }

    /** What the warm-up did, for the start's log line. */
    record Outcome(int tunnels, Duration took, Optional<String> stoppedBy) {}

    /** The tunnel count {@value #ENVIRONMENT} in {@code environment} asks for. */
    static int tunnels(Map<String, String> environment) throws InvalidSetting {
        String text = environment.getOrDefault(ENVIRONMENT, "").strip();
        if (text.isEmpty()) {
            return DEFAULT_TUNNELS;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= 0 && n <= MAX_TUNNELS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below names the variable and the range
        }
        throw new InvalidSetting(
                ENVIRONMENT
                        + " must be a tunnel count from 0 (no warm-up) to "
                        + MAX_TUNNELS
                        + ", got '"
                        + text
                        + "'");
    }

    /**
     * Runs up to {@code tunnels} warm-up tunnels on the calling thread (never an event loop), for
     * at most {@link #BUDGET}, and closes what it opened.
     *
     * @param settingsFor builds the proxy's front-end settings; the warm-up's get metrics of their
     *     own and the silent access log, so that nothing the proxy reports counts these tunnels and
     *     nothing is silenced for the proxy's clients (or another proxy in the same JVM)
     */
    static Outcome run(
            ProxyConfig config,
            Transport transport,
            EventLoopGroup workers,
            SettingsBuilder settingsFor,
            int tunnels)
            throws InterruptedException {
        long start = System.nanoTime();
        if (tunnels <= 0) {
            return new Outcome(0, Duration.ZERO, Optional.empty());
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Channel echo = null;
        Channel proxy = null;
        int done = 0;
        Optional<String> stoppedBy = Optional.empty();
        try {
            echo =
                    bootstrap(transport, workers, ProxyPipelines.warmUpEcho())
                            .bind(new InetSocketAddress(loopback, 0))
                            .sync()
                            .channel();
            int echoPort = ((InetSocketAddress) echo.localAddress()).getPort();
            ProxyConfig warmConfig = warmUpConfig(config, loopback, echoPort);
            ProxyFrontendSettings settings =
                    settingsFor.build(warmConfig, new ProxyMetrics(), AccessLog.silent());
            ConnectionLimiter limiter =
                    new ConnectionLimiter(
                            warmConfig.limits().maxConnections(),
                            warmConfig.limits().maxConnectionsPerClient(),
                            settings.metrics(),
                            settings.accessLog());
            proxy =
                    bootstrap(
                                    transport,
                                    workers,
                                    ProxyPipelines.client(
                                            () -> settings, limiter, null, new AuthCache()))
                            .bind(new InetSocketAddress(loopback, 0))
                            .sync()
                            .channel();
            InetSocketAddress proxyAddress = (InetSocketAddress) proxy.localAddress();
            byte[] connect =
                    ("CONNECT "
                                    + loopback.getHostAddress()
                                    + ":"
                                    + echoPort
                                    + " HTTP/1.1\r\nHost: "
                                    + loopback.getHostAddress()
                                    + ":"
                                    + echoPort
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
            byte[] head = new byte[1024];
            long deadline = start + BUDGET.toNanos();
            while (done < tunnels) {
                if (System.nanoTime() - deadline > 0) {
                    stoppedBy = Optional.of("the " + BUDGET.toSeconds() + " s budget");
                    break;
                }
                tunnel(proxyAddress, connect, head);
                done++;
            }
        } catch (IOException | RuntimeException e) {
            stoppedBy = Optional.of("a failed warm-up tunnel: " + e);
            LOG.warn("warm-up stopped after {} tunnel(s): {}", done, e.toString());
        } finally {
            if (proxy != null) {
                proxy.close().syncUninterruptibly();
            }
            if (echo != null) {
                echo.close().syncUninterruptibly();
            }
        }
        return new Outcome(done, Duration.ofNanos(System.nanoTime() - start), stoppedBy);
    }

    /**
     * The user's config with the targets and clients narrowed to the warm-up's loopback echo, no
     * TLS and no users: the tunnel path a plain client takes.
     */
    private static ProxyConfig warmUpConfig(ProxyConfig c, InetAddress loopback, int echoPort) {
        return new ProxyConfig(
                c.listen(),
                c.name(),
                c.via(),
                List.of(TargetRule.parse(loopback.getHostAddress() + ":" + echoPort)),
                ClientPolicy.LOOPBACK,
                c.timeouts(),
                c.limits(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    private static ServerBootstrap bootstrap(
            Transport transport,
            EventLoopGroup workers,
            io.netty.channel.ChannelHandler childInit) {
        // The same child options as the real listeners (ProxyServer), so the same code runs.
        return new ServerBootstrap()
                .group(workers, workers)
                .channel(transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Watermarks.DEFAULT)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, Watermarks.reads())
                .childHandler(childInit);
    }

    /** One warm-up tunnel's whole life, as a client makes it. */
    private static void tunnel(InetSocketAddress proxy, byte[] connect, byte[] head)
            throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.connect(proxy, READ_TIMEOUT_MS);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            out.write(connect);
            readHead(in, head);
            out.write(PING);
            int b = in.read();
            if (b != PING) {
                throw new IOException("the warm-up echo sent " + b + " instead of the byte sent");
            }
        }
    }

    /** Reads the proxy's answer up to its blank line and checks that it is 200. */
    private static void readHead(InputStream in, byte[] head) throws IOException {
        int n = 0;
        while (!endsWithBlankLine(head, n)) {
            if (n == head.length) {
                throw new IOException("the proxy's answer to the warm-up CONNECT is too long");
            }
            int read = in.read(head, n, head.length - n);
            if (read < 0) {
                throw new IOException("the proxy closed the warm-up tunnel before answering");
            }
            n += read;
        }
        String answer = new String(head, 0, n, StandardCharsets.US_ASCII);
        if (!answer.startsWith("HTTP/1.1 200 ")) {
            throw new IOException(
                    "the proxy answered the warm-up CONNECT with '"
                            + answer.lines().findFirst().orElse("")
                            + "'");
        }
    }

    /** The proxy sends nothing after its answer's head until the echo answers, so it ends there. */
    private static boolean endsWithBlankLine(byte[] b, int n) {
        return n >= 4
                && b[n - 4] == '\r'
                && b[n - 3] == '\n'
                && b[n - 2] == '\r'
                && b[n - 1] == '\n';
    }
}
