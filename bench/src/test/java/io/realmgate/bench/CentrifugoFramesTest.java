package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CentrifugoFramesTest {
    @Test
    void aFrameOfSeveralLinesIsEveryMessageInOrder() throws Exception {
        String frame =
                "{\"id\":1,\"connect\":{\"client\":\"c1\",\"version\":\"6.9.1\",\"ping\":25,\"pong\":true}}\n"
                        + "{\"push\":{\"channel\":\"prices\",\"pub\":{\"data\":{\"t\":99,\"pad\":\"x\"},\"offset\":3}}}\n"
                        + "{}\n"
                        + "{\"id\":2,\"error\":{\"code\":103,\"message\":\"permission denied\"}}";

        List<CentrifugoFrames.Message> m = CentrifugoFrames.read(frame);

        assertThat(m).hasSize(4);
        assertThat(m.get(0)).isEqualTo(new CentrifugoFrames.Reply(1, null));
        CentrifugoFrames.Publication pub = (CentrifugoFrames.Publication) m.get(1);
        assertThat(pub.channel()).isEqualTo("prices");
        assertThat(pub.data().path("t").asLong()).isEqualTo(99);
        assertThat(m.get(2)).isInstanceOf(CentrifugoFrames.Ping.class);
        assertThat(m.get(3)).isEqualTo(new CentrifugoFrames.Reply(2, "103 permission denied"));
    }

    @Test
    void oneMessageWithATrailingNewlineAndOtherPushes() throws Exception {
        assertThat(CentrifugoFrames.read("{\"id\":7,\"publish\":{}}\n"))
                .containsExactly(new CentrifugoFrames.Reply(7, null));
        assertThat(
                        CentrifugoFrames.read(
                                "{\"push\":{\"channel\":\"a\",\"join\":{\"info\":{}}}}\n"
                                        + "{\"push\":{\"disconnect\":{\"code\":3008,\"reason\":\"slow\"}}}"))
                .containsExactly(
                        new CentrifugoFrames.OtherPush("join"),
                        new CentrifugoFrames.Disconnect(3008, "slow"));
    }

    @Test
    void whatIsNotTheProtocolIsAnErrorQuotingIt() {
        assertThatThrownBy(() -> CentrifugoFrames.read("{\"id\":1,"))
                .isInstanceOf(IOException.class)
                .hasMessage("not JSON from Centrifugo: {\"id\":1,");
        assertThatThrownBy(() -> CentrifugoFrames.read("[1,2]"))
                .hasMessage("not a JSON object from Centrifugo: [1,2]");
        assertThatThrownBy(() -> CentrifugoFrames.read("{\"result\":{}}"))
                .hasMessage("neither push nor reply from Centrifugo: {\"result\":{}}");
    }

    @Test
    void commandsCarryTheirIdAndThePublishedDataAsJson() {
        assertThat(CentrifugoFrames.connect(1)).isEqualTo("{\"id\":1,\"connect\":{}}");
        assertThat(CentrifugoFrames.subscribe(2, "prices"))
                .isEqualTo("{\"id\":2,\"subscribe\":{\"channel\":\"prices\"}}");
        assertThat(CentrifugoFrames.publish(3, "prices", "{\"t\":5}"))
                .isEqualTo("{\"id\":3,\"publish\":{\"channel\":\"prices\",\"data\":{\"t\":5}}}");
        assertThat(CentrifugoFrames.pong()).isEqualTo("{}");
        assertThatThrownBy(() -> CentrifugoFrames.publish(4, "prices", "{nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("publish data is not JSON: {nope");
    }
}
