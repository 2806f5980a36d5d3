package io.realmgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * A loopback listener that serves each connection on a thread of its own: what the sink and the
 * source targets share. A run opens only a handful of connections (one, or {@code --parallel}), so
 * a thread each costs nothing and keeps the serving code a plain blocking loop.
 */
final class ThreadPerConnectionServer implements AutoCloseable {
    private final ServerSocketChannel listener;
    private final String name;
    private final Consumer<SocketChannel> serve;

    /**
     * @param serve runs on the connection's own thread and owns (closes) the channel
     */
    ThreadPerConnectionServer(String name, Consumer<SocketChannel> serve) throws IOException {
        this.name = name;
        this.serve = serve;
        this.listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("127.0.0.1", 0), 64);
        Thread acceptor = new Thread(this::acceptLoop, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) listener.getLocalAddress();
    }

    private void acceptLoop() {
        // Ends when close() closes the listener.
        while (listener.isOpen()) {
            try {
                SocketChannel ch = listener.accept();
                Thread t = new Thread(() -> serve.accept(ch), name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
