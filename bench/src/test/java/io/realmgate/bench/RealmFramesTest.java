package io.realmgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class RealmFramesTest {
    @Test
    void serverFramesAreRepliesByRefAndEvents() throws Exception {
        assertThat(RealmFrames.read("{\"op\":\"ack\",\"ref\":\"p7\",\"id\":3}"))
                .isEqualTo(new RealmFrames.Reply("p7", null));
        assertThat(
                        RealmFrames.read(
                                "{\"op\":\"subscribed\",\"channel\":\"c\",\"id\":0,\"epoch\":\"e\",\"ref\":\"s1\"}"))
                .isEqualTo(new RealmFrames.Reply("s1", null));
        assertThat(
                        RealmFrames.read(
                                "{\"op\":\"error\",\"code\":\"bad-channel\",\"message\":\"no\",\"ref\":\"p2\"}"))
                .isEqualTo(new RealmFrames.Reply("p2", "bad-channel no"));
        RealmFrames.Event e =
                (RealmFrames.Event)
                        RealmFrames.read(
                                "{\"op\":\"event\",\"channel\":\"prices\",\"id\":9,\"data\":{\"t\":42,\"pad\":\"x\"}}");
        assertThat(e.channel()).isEqualTo("prices");
        assertThat(e.data().path("t").asLong()).isEqualTo(42);
        assertThat(RealmFrames.read("{\"op\":\"error\",\"code\":\"x\",\"message\":\"y\"}"))
                .isEqualTo(new RealmFrames.Other("error"));
    }

    @Test
    void whatIsNotProtocolV1IsAnErrorQuotingIt() {
        assertThatThrownBy(() -> RealmFrames.read("{\"op\":"))
                .isInstanceOf(IOException.class)
                .hasMessage("not JSON from the realm: {\"op\":");
        assertThatThrownBy(() -> RealmFrames.read("[1]"))
                .hasMessage("not a protocol v1 frame from the realm: [1]");
        assertThatThrownBy(() -> RealmFrames.read("{\"id\":1}"))
                .hasMessage("not a protocol v1 frame from the realm: {\"id\":1}");
    }

    @Test
    void commandsCarryTheirRefAndThePublishedDataAsJson() {
        assertThat(RealmFrames.subscribe("s1", "prices"))
                .isEqualTo("{\"op\":\"subscribe\",\"channel\":\"prices\",\"ref\":\"s1\"}");
        assertThat(RealmFrames.publish("p2", "prices", "{\"t\":5}"))
                .isEqualTo(
                        "{\"op\":\"publish\",\"channel\":\"prices\",\"ref\":\"p2\",\"data\":{\"t\":5}}");
        assertThatThrownBy(() -> RealmFrames.publish("p3", "prices", "{\"t\":"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("publish data is not JSON: {\"t\":");
    }
}
