package io.realmgate.realm.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ready-made frames against Netty's own WebSocket codec: a client's decoder (unmasked frames
 * expected, as from a server) reads back the payload, and the bytes are exactly those of Netty's
 * server encoder, at each boundary of the three length forms.
 */
class TextFramesTest {
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65_535, 65_536, 70_000})
    void aClientDecodesTheFrameAndTheBytesAreTheEncoders(int length) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'x');
        if (length > 0) {
            payload[0] = '"';
            payload[length - 1] = '"';
        }

        ByteBuf ours = TextFrames.encode(ByteBufAllocator.DEFAULT, payload);
        EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
        encoder.writeOutbound(new TextWebSocketFrame(new String(payload, StandardCharsets.UTF_8)));
        ByteBuf netty = io.netty.buffer.Unpooled.buffer();
        for (ByteBuf part; (part = encoder.readOutbound()) != null; ) {
            netty.writeBytes(part);
            part.release();
        }
        assertThat(ByteBufUtil.getBytes(ours)).isEqualTo(ByteBufUtil.getBytes(netty));
        netty.release();

        EmbeddedChannel client =
                new EmbeddedChannel(
                        new WebSocket08FrameDecoder(
                                WebSocketDecoderConfig.newBuilder()
                                        .expectMaskedFrames(false)
                                        .maxFramePayloadLength(1 << 20)
                                        .build()));
        client.writeInbound(ours);
        TextWebSocketFrame frame = client.readInbound();
        assertThat(frame).isNotNull();
        assertThat(frame.isFinalFragment()).isTrue();
        assertThat(ByteBufUtil.getBytes(frame.content())).isEqualTo(payload);
        frame.release();
        assertThat(client.finishAndReleaseAll()).isFalse();
        encoder.finishAndReleaseAll();
    }
}
