package io.realmgate.proxy.tunnel;

import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;

final class Pipes {
    private Pipes() {}

    static void closeQuietly(FileDescriptor fd) {
        if (fd != null) {
            try {
                fd.close();
            } catch (IOException ignored) {
                // a pipe end that will not close has nothing left to lose
            }
        }
    }
}
