package io.realmgate.tests.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One loopback address in front of several realm processes, as a Kubernetes Service is in front of
 * a realm's pods: it accepts on one port and relays each new connection, byte for byte, to the
 * backend chosen now. {@link #switchTo} picks another backend for new connections and cuts the
 * relayed ones that went to the old backend (the pod went away, and with it its connections), so a
 * client sees its connection end and reconnects to the same address, landing on another realm.
 *
 * <p>Blocking sockets on daemon threads: two per relayed connection, one accepting. A connection
 * whose backend refuses is closed at once, as a Service without ready endpoints refuses. {@link
 * #close()} stops accepting and cuts every relayed connection.
 */
public final class SwitchableFront implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Relay> relays = new ArrayList<>();
    private final java.util.concurrent.ConcurrentHashMap<Integer, AtomicLong> relayed =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int backendPort;
    private volatile boolean closed;

    private SwitchableFront(ServerSocket listener, int backendPort) {
        this.listener = listener;
        this.backendPort = backendPort;
    }

    /** Listens on a free loopback port and relays to {@code 127.0.0.1:backendPort}. */
    public static SwitchableFront start(int backendPort) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        SwitchableFront front = new SwitchableFront(listener, backendPort);
        Thread acceptor = new Thread(front::accept, "front-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return front;
    }

    /** The port clients use. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Connections relayed to the backend on {@code port} so far. */
    public long relayedTo(int port) {
        AtomicLong n = relayed.get(port);
        return n == null ? 0 : n.get();
    }

    /**
     * New connections go to {@code 127.0.0.1:port} from now on; connections relayed to any other
     * backend are cut (both sockets closed), as when their pod went away.
     */
    public void switchTo(int port) {
        backendPort = port;
        List<Relay> cut = new ArrayList<>();
        synchronized (relays) {
            relays.removeIf(
                    r -> {
                        if (r.backendPort != port) {
                            cut.add(r);
                            return true;
                        }
                        return false;
                    });
        }
        cut.forEach(Relay::close);
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            int port = backendPort;
            Socket backend = new Socket();
            try {
                client.setTcpNoDelay(true);
                backend.setTcpNoDelay(true);
                backend.connect(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            } catch (IOException refused) {
                closeQuietly(client);
                closeQuietly(backend);
                continue;
            }
            Relay r = new Relay(client, backend, port);
            synchronized (relays) {
                if (closed || port != backendPort) {
                    r.close(); // switched meanwhile: this one went to the old backend
                    continue;
                }
                relays.add(r);
            }
            relayed.computeIfAbsent(port, p -> new AtomicLong()).incrementAndGet();
            r.start();
        }
    }

    /** One relayed connection: a thread per direction, half-close passed on. */
    private final class Relay {
        final Socket client;
        final Socket backend;
        final int backendPort;
        final java.util.concurrent.atomic.AtomicInteger ended =
                new java.util.concurrent.atomic.AtomicInteger();

        Relay(Socket client, Socket backend, int backendPort) {
            this.client = client;
            this.backend = backend;
            this.backendPort = backendPort;
        }

        void start() {
            pump(client, backend, "up");
            pump(backend, client, "down");
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread t =
                    new Thread(
                            () -> {
                                byte[] buffer = new byte[16 * 1024];
                                try {
                                    InputStream in = from.getInputStream();
                                    OutputStream out = to.getOutputStream();
                                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                                        out.write(buffer, 0, n);
                                        out.flush();
                                    }
                                    to.shutdownOutput();
                                    if (ended.incrementAndGet() == 2) {
                                        close(); // both directions ended
                                    }
                                } catch (IOException e) {
                                    close(); // a reset or a cut: both sides go
                                }
                            },
                            "front-" + direction + "-" + from.getPort());
            t.setDaemon(true);
            t.start();
        }

        void close() {
            closeQuietly(client);
            closeQuietly(backend);
            synchronized (relays) {
                relays.remove(this);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        List<Relay> all;
        synchronized (relays) {
            all = new ArrayList<>(relays);
            relays.clear();
        }
        all.forEach(Relay::close);
    }
}
