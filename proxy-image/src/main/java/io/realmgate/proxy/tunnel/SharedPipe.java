package io.realmgate.proxy.tunnel;

import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;

/**
 * One pipe per event-loop thread that every spliced tunnel on that loop passes its bytes through,
 * so an idle tunnel holds no pipe (a pipe is two file descriptors; 10,000 tunnels with a pipe per
 * direction would need 40,000 more). The pipe is empty whenever no pump is running: a pump that
 * cannot hand all of it to its destination moves the rest into a pipe of its own ({@link
 * SplicePump}), and one that fails part-way discards it ({@link #discardIfNotEmpty()}), so no
 * tunnel's bytes ever reach another's.
 */
final class SharedPipe {
    private static final FastThreadLocal<SharedPipe> PER_LOOP =
            new FastThreadLocal<>() {
                @Override
                protected SharedPipe initialValue() {
                    return new SharedPipe();
                }

                @Override
                protected void onRemoval(SharedPipe pipe) {
                    pipe.close();
                }
            };

    private FileDescriptor read;
    private FileDescriptor write;

    /** Bytes in the pipe now; 0 between pumps. */
    int bytes;

    static SharedPipe current() {
        return PER_LOOP.get();
    }

    FileDescriptor readEnd() throws IOException {
        open();
        return read;
    }

    FileDescriptor writeEnd() throws IOException {
        open();
        return write;
    }

    private void open() throws IOException {
        if (read == null) {
            FileDescriptor[] p = FileDescriptor.pipe();
            read = p[0];
            write = p[1];
        }
    }

    /**
     * After a failed pump: bytes left here belong to a broken tunnel and must not reach the next
     * one.
     */
    void discardIfNotEmpty() {
        if (bytes != 0) {
            close();
        }
    }

    private void close() {
        Pipes.closeQuietly(read);
        Pipes.closeQuietly(write);
        read = null;
        write = null;
        bytes = 0;
    }
}
