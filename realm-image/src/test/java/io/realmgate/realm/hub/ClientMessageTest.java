package io.realmgate.realm.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one-pass parse of a client message against the tree path it stands in for. */
class ClientMessageTest {
    private static ClientMessage parse(String json) throws ClientMessage.Invalid {
        return ClientMessage.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** What the tree path makes of the same bytes: a tree, then data cut out of the bytes. */
    private static ClientMessage viaTree(String json) throws ClientMessage.Invalid {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return ClientMessage.of(ClientMessage.readTree(b), null, b);
    }

    @Test
    void everyMessageReadsAsTheTreePathReadsIt() throws Exception {
        List<String> messages =
                List.of(
                        "{\"op\":\"publish\",\"channel\":\"c\",\"ref\":\"p1\",\"data\":{\"t\":1,\"pad\":\"xx\"}}",
                        "{ \"data\" : [1, 2, {\"a\" : \"b c\"}] , \"op\" : \"publish\", \"channel\":\"c\"}",
                        "{\"op\":\"publish\",\"channel\":\"c\",\"data\":1e400,\"ref\":12345678901234567890}",
                        "{\"op\":\"publish\",\"channel\":\"c\",\"data\":null}",
                        "{\"op\":\"publish\",\"channel\":\"c\",\"data\":\"first\",\"data\":\"last\"}",
                        "{\"op\":\"publish\",\"channel\":\"c\",\"data\":123456789012345678901234567890}",
                        "{\"op\":\"subscribe\",\"channel\":\"c\",\"from\":7,\"epoch\":null,\"x\":{\"y\":[]}}",
                        "{\"op\":\"unsubscribe\",\"channel\":\"c\",\"ref\":2.5}");
        for (String m : messages) {
            ClientMessage fast = parse(m);
            ClientMessage tree = viaTree(m);
            assertThat(fast.op()).as(m).isEqualTo(tree.op());
            assertThat(fast.channel()).as(m).isEqualTo(tree.channel());
            assertThat(fast.from()).as(m).isEqualTo(tree.from());
            assertThat(fast.epoch()).as(m).isEqualTo(tree.epoch());
            assertThat(fast.ref()).as(m).isEqualTo(tree.ref());
            assertThat(fast.data() == null ? null : new String(fast.data(), StandardCharsets.UTF_8))
                    .as(m)
                    .isEqualTo(
                            tree.data() == null
                                    ? null
                                    : new String(tree.data(), StandardCharsets.UTF_8));
        }
        assertThat(new String(parse(messages.get(1)).data(), StandardCharsets.UTF_8))
                .isEqualTo("[1,2,{\"a\":\"b c\"}]");
        assertThat(new String(parse(messages.get(2)).data(), StandardCharsets.UTF_8))
                .isEqualTo("1e400");
        assertThat(new String(parse(messages.get(4)).data(), StandardCharsets.UTF_8))
                .isEqualTo("\"last\"");
    }

    @Test
    void refusalsNameWhatWasWrong() {
        assertThatThrownBy(() -> parse("{\"op\":\"publish\",\"channel\":\"c\""))
                .isInstanceOf(ClientMessage.Invalid.class)
                .hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> parse("[1]"))
                .hasMessage("a message is a JSON object with an \"op\"");
        assertThatThrownBy(() -> parse("{\"op\":\"publish\",\"channel\":\"c\"}"))
                .hasMessage("publish needs \"data\"");
        assertThatThrownBy(() -> parse("{\"op\":\"publish\",\"channel\":\"a b\",\"data\":1}"))
                .hasMessageStartingWith("channel names are");
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThatThrownBy(
                        () -> parse("{\"op\":\"publish\",\"channel\":\"c\",\"data\":" + deep + "}"))
                .hasMessageStartingWith("not JSON");
    }
}
