package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.realmgate.common.Transport;
import io.realmgate.realm.RealmServer;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.tests.peers.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The raw client against a real realm over wss on loopback. */
class RealmRawClientTest {
    @TempDir Path dir;

    private RealmServer realm() throws Exception {
        TestCertificates certs = TestCertificates.get();
        Path cert = Files.writeString(dir.resolve("tls.crt"), certs.server().getCertificatePEM());
        Path key = Files.writeString(dir.resolve("tls.key"), certs.server().getPrivateKeyPEM());
        return new RealmServer(
                        RealmConfig.testing()
                                .wsPort(RealmConfig.OFF)
                                .wssPort(0)
                                .tls(cert, key)
                                .build())
                .start();
    }

    @Test
    void aFanOutRunDeliversEveryAcknowledgedEventToEverySubscriber() throws Exception {
        try (RealmServer realm = realm()) {
            FanOutRun.Result r =
                    new FanOutRun(RealmRawClient.FACTORY, List.of(realm.wssAddress()), 1)
                            .measure(3, null, "raw-client");

            assertThat(r.due()).isPositive();
            assertThat(r.delivered()).isEqualTo(r.due());
            assertThat(r.complete()).isTrue();
            assertThat(r.eventsPerSecond()).isPositive();
        }
    }

    @Test
    void aRefusedPublishFailsWithTheRealmsCode() throws Exception {
        EventLoopGroup group = Transport.fromEnvironment().newGroup(1, "raw-client-test");
        try (RealmServer realm = realm();
                FanOutClient c = RealmRawClient.FACTORY.create(realm.wssAddress(), null, group)) {
            c.connect().get(30, TimeUnit.SECONDS);

            assertThatThrownBy(() -> c.publish("no spaces", "{\"t\":1}").get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("the realm answered bad-channel");
            assertThat(c.lost()).isFalse();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
                    .awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
