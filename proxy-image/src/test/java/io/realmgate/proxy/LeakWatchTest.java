package io.realmgate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.realmgate.tests.peers.LeakWatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The leak checks of the other tests are only worth something if a real leak is caught. */
@Timeout(30)
class LeakWatchTest {

    @Test
    void testsRunWithParanoidLeakDetection() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void aBufferThatIsNeverReleasedIsReported() throws Exception {
        LeakWatch watch = LeakWatch.install();
        try {
            leakOne();
            assertThat(watch.leaks()).isNotEmpty();
        } finally {
            watch.uninstall();
        }
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeInt(42); // deliberately never released
    }
}
