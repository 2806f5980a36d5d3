package io.realmgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The set-up target: echoes what it reads, closes on EOF. A single selector thread rather than a
 * thread per connection, so each tunnel's latency includes no thread start or hand-off here and the
 * differences between subjects stay the proxies' own.
 */
final class EchoTarget implements AutoCloseable {
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final Thread loop;
    private volatile boolean closed;

    EchoTarget() throws IOException {
        selector = Selector.open();
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        loop = new Thread(this::run, "echo-target");
        loop.setDaemon(true);
        loop.start();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) listener.getLocalAddress();
    }

    private void run() {
        while (!closed) {
            try {
                // The timeout only lets the loop notice close(); wakeup() normally ends the wait.
                selector.select(1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    handle(key);
                }
                selector.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    System.err.println("bench: echo target: " + e);
                }
                return;
            }
        }
    }

    private void handle(SelectionKey key) throws IOException {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            // Take what is queued, but never spin here: other keys are waiting too.
            for (int i = 0; i < 64; i++) {
                SocketChannel ch = listener.accept();
                if (ch == null) {
                    break;
                }
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(4096));
            }
            return;
        }
        SocketChannel ch = (SocketChannel) key.channel();
        ByteBuffer buf = (ByteBuffer) key.attachment();
        try {
            if (key.isReadable() && ch.read(buf) < 0) {
                // EOF: what was not echoed yet goes nowhere; a client that half-closes early
                // loses it, which the benchmark never does (it reads its byte before closing).
                ch.close();
                return;
            }
            buf.flip();
            ch.write(buf);
            buf.compact();
            // Stop reading while output is stuck, so the buffer never has to grow.
            key.interestOps(buf.position() > 0 ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        } catch (IOException e) {
            // A reset from a client or proxy: that connection is done, the server goes on.
            ch.close();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        selector.wakeup();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }

    @Override
    public String toString() {
        return "echo target";
    }
}
