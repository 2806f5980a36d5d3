package io.realmgate.realm.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A server's WebSocket text frame (RFC 6455, section 5.2) as bytes ready for the socket: FIN and
 * the text opcode, the payload length in its shortest form, no mask (a server never masks), then
 * the payload. The realm writes every queued frame this way, one pooled buffer each, instead of
 * through Netty's frame encoder: that path allocated a frame object, a wrapper around the JSON and
 * a view of it for the copy on every delivery, and at hundreds of thousands of deliveries a second
 * that garbage set how often the collector paused the realm (docs/decisions.md, "Realm: a
 * delivery's frame written ready-made"). The connection negotiates no extension, so the bytes are
 * the same as the encoder's.
 */
final class TextFrames {
    private static final int FIN_TEXT = 0x81;
    private static final int LENGTH_16 = 126;
    private static final int LENGTH_64 = 127;

    private TextFrames() {}

    /** The frame carrying {@code payload} (UTF-8 text), in a buffer from {@code alloc}. */
    static ByteBuf encode(ByteBufAllocator alloc, byte[] payload) {
        int length = payload.length;
        int header = length < LENGTH_16 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf frame = alloc.directBuffer(header + length);
        frame.writeByte(FIN_TEXT);
        if (length < LENGTH_16) {
            frame.writeByte(length);
        } else if (length <= 0xFFFF) {
            frame.writeByte(LENGTH_16);
            frame.writeShort(length);
        } else {
            frame.writeByte(LENGTH_64);
            frame.writeLong(length);
        }
        frame.writeBytes(payload);
        return frame;
    }
}
