package io.realmgate.realm.client;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Java client as a command, for a shell or a pod: subscribe, publish, or both, through an HTTP
 * CONNECT proxy when one is given, trusting a CA bundle file. Every event, ack and connection
 * change is one line on standard output, so what a subscriber saw can be checked afterwards (ids
 * contiguous, nothing twice).
 *
 * <pre>
 * java -cp @/app/jib-classpath-file io.realmgate.realm.client.RealmClientMain \
 *     --url wss://prices-realm.apps.svc:9443/realm --proxy egress-proxy.apps.svc:3128 --ca /etc/realm-ca/ca.crt \
 *     --channel prices --publish 3 --expect 3 --timeout 30s
 * </pre>
 *
 * Lines: {@code connected reconnect=false}, {@code subscribed channel=C newest=N}, {@code event
 * channel=C id=N data=JSON}, {@code reset channel=C reason=R epoch=E newest=N} (the realm lost the
 * history: ids start again), {@code ack id=N}, {@code disconnected code=N reason=R}, {@code error
 * code=C message=M}, and last {@code done events=N acks=N}. Exit status 0 when the expected events
 * arrived in time, 1 when not, 2 for a bad argument.
 */
public final class RealmClientMain {
    private RealmClientMain() {}

    public static void main(String[] args) throws Exception {
        int status;
        try {
            status = run(parse(args));
        } catch (IllegalArgumentException e) {
            System.err.println("realmgate-client: " + e.getMessage());
            status = 2;
        }
        System.exit(status);
    }

    private static final String USAGE =
            "usage: --url ws[s]://HOST:PORT/realm [--proxy HOST:PORT] [--ca FILE]"
                    + " [--channel NAME] [--from ID] [--subscribe true|false] [--publish COUNT] [--interval DURATION]"
                    + " [--expect COUNT] [--timeout DURATION] [--reconnect true|false]";

    static Map<String, String> parse(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument \"" + arg + "\"; " + USAGE);
            }
            int eq = arg.indexOf('=');
            if (eq > 0) {
                flags.put(arg.substring(0, eq), arg.substring(eq + 1));
            } else if (i + 1 < args.length) {
                flags.put(arg, args[++i]);
            } else {
                throw new IllegalArgumentException(arg + " needs a value; " + USAGE);
            }
        }
        for (String key : flags.keySet()) {
            if (!USAGE.contains(key + " ") && !USAGE.contains(key + "]")) {
                throw new IllegalArgumentException("unknown flag " + key + "; " + USAGE);
            }
        }
        if (!flags.containsKey("--url")) {
            throw new IllegalArgumentException("--url is required; " + USAGE);
        }
        return flags;
    }

    static int run(Map<String, String> flags) throws Exception {
        URI url = URI.create(flags.get("--url"));
        String channel = flags.getOrDefault("--channel", "realmgate-client");
        long from = Long.parseLong(flags.getOrDefault("--from", "-1"));
        boolean subscribe = Boolean.parseBoolean(flags.getOrDefault("--subscribe", "true"));
        int publish = Integer.parseInt(flags.getOrDefault("--publish", "0"));
        Duration interval = duration(flags.getOrDefault("--interval", "0s"));
        int expect =
                Integer.parseInt(
                        flags.getOrDefault("--expect", subscribe ? String.valueOf(publish) : "0"));
        Duration timeout = duration(flags.getOrDefault("--timeout", "30s"));
        boolean reconnect = Boolean.parseBoolean(flags.getOrDefault("--reconnect", "false"));

        CountDownLatch expected = new CountDownLatch(Math.max(expect, 0));
        AtomicLong events = new AtomicLong();
        AtomicLong acks = new AtomicLong();
        RealmClient.Builder builder =
                RealmClient.builder(url)
                        .connectTimeout(Duration.ofSeconds(10))
                        .listener(
                                new ConnectionListener() {
                                    @Override
                                    public void connected(boolean again) {
                                        out("connected reconnect=" + again);
                                    }

                                    @Override
                                    public void disconnected(int code, String reason) {
                                        out("disconnected code=" + code + " reason=" + reason);
                                    }

                                    @Override
                                    public void error(String code, String message) {
                                        out("error code=" + code + " message=" + message);
                                    }
                                });
        if (reconnect) {
            builder.reconnect(Duration.ofMillis(200), Duration.ofSeconds(2));
        } else {
            builder.noReconnect();
        }
        if (flags.containsKey("--proxy")) {
            builder.proxy(hostPort(flags.get("--proxy")));
        }
        if (flags.containsKey("--ca")) {
            Path ca = Path.of(flags.get("--ca"));
            if (!Files.isReadable(ca)) {
                System.err.println("realmgate-client: --ca: cannot read " + ca);
                return 2;
            }
            builder.trustPem(ca);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (RealmClient client = builder.build()) {
            client.connect().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (subscribe) {
                long newest =
                        client.subscribe(
                                        channel,
                                        from,
                                        new EventListener() {
                                            @Override
                                            public void onEvent(RealmEvent event) {
                                                out(
                                                        "event channel="
                                                                + event.channel()
                                                                + " id="
                                                                + event.id()
                                                                + " data="
                                                                + event.data());
                                                events.incrementAndGet();
                                                expected.countDown();
                                            }

                                            @Override
                                            public void onReset(PositionReset reset) {
                                                out(
                                                        "reset channel="
                                                                + reset.channel()
                                                                + " reason="
                                                                + reset.reason()
                                                                + " epoch="
                                                                + reset.epoch()
                                                                + " newest="
                                                                + reset.newestId());
                                            }
                                        })
                                .get(remaining(deadline), TimeUnit.MILLISECONDS);
                out("subscribed channel=" + channel + " newest=" + newest);
            }
            for (int i = 1; i <= publish && System.nanoTime() < deadline; i++) {
                CompletableFuture<Long> acked = client.publish(channel, "{\"n\":" + i + "}");
                try {
                    long id = acked.get(remaining(deadline), TimeUnit.MILLISECONDS);
                    out("ack id=" + id);
                    acks.incrementAndGet();
                } catch (Exception e) {
                    // Through a reconnect a publish can fail (not-connected); it is reported, not
                    // retried, so a
                    // reader of the output knows exactly what was published.
                    out("publish-failed n=" + i + " reason=" + rootMessage(e));
                }
                if (!interval.isZero()) {
                    Thread.sleep(interval.toMillis());
                }
            }
            boolean complete = expected.await(remaining(deadline), TimeUnit.MILLISECONDS);
            out("done events=" + events.get() + " acks=" + acks.get());
            return complete && (publish == 0 || acks.get() == publish || reconnect) ? 0 : 1;
        } catch (Exception e) {
            out("failed " + rootMessage(e));
            return 1;
        }
    }

    private static long remaining(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private static synchronized void out(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    static InetSocketAddress hostPort(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--proxy: \"" + value + "\" is not HOST:PORT");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(value.substring(colon + 1)));
    }

    static Duration duration(String value) {
        String v = value.trim();
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        throw new IllegalArgumentException(
                "\"" + value + "\" is not a duration such as 500ms, 30s or 2m");
    }
}
