package io.realmgate.proxy.tunnel;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads the server name (SNI) from a TLS ClientHello without terminating TLS. Only the first TLS
 * record is examined: a ClientHello that does not fit one record (16 KiB) is treated as malformed,
 * which no mainstream client sends.
 */
public final class ClientHelloSni {
    /** Outcome of looking at the bytes received so far. */
    public sealed interface Result permits NeedMore, NotTls, NoServerName, ServerName {}

    public record NeedMore() implements Result {}

    public record NotTls(String why) implements Result {}

    public record NoServerName() implements Result {}

    public record ServerName(String name) implements Result {}

    public static final int MAX_RECORD = 16 * 1024 + 5;

    private ClientHelloSni() {}

    /** Looks at {@code buf} from its reader index without moving it. */
    public static Result read(ByteBuf buf) {
        int start = buf.readerIndex();
        int available = buf.readableBytes();
        if (available < 5) {
            return available > 0 && buf.getUnsignedByte(start) != 0x16
                    ? new NotTls("not a TLS handshake record")
                    : new NeedMore();
        }
        if (buf.getUnsignedByte(start) != 0x16 || buf.getUnsignedByte(start + 1) != 3) {
            return new NotTls("not a TLS handshake record");
        }
        int recordLength = buf.getUnsignedShort(start + 3);
        if (recordLength > MAX_RECORD - 5 || recordLength < 4) {
            return new NotTls("bad TLS record length " + recordLength);
        }
        if (available < 5 + recordLength) {
            return new NeedMore();
        }
        try {
            return parseClientHello(buf, start + 5, start + 5 + recordLength);
        } catch (IndexOutOfBoundsException e) {
            return new NotTls("truncated ClientHello");
        }
    }

    private static Result parseClientHello(ByteBuf b, int p, int end) {
        if (b.getUnsignedByte(p) != 1) {
            return new NotTls("first handshake message is not a ClientHello");
        }
        int helloEnd = p + 4 + b.getUnsignedMedium(p + 1);
        if (helloEnd > end) {
            return new NotTls("ClientHello spans several records");
        }
        p += 4 + 2 + 32; // type+length, legacy_version, random
        p += 1 + b.getUnsignedByte(p); // session id
        p += 2 + b.getUnsignedShort(p); // cipher suites
        p += 1 + b.getUnsignedByte(p); // compression methods
        if (p >= helloEnd) {
            return new NoServerName(); // no extensions at all
        }
        int extEnd = p + 2 + b.getUnsignedShort(p);
        p += 2;
        if (extEnd > helloEnd) {
            return new NotTls("extensions overrun the ClientHello");
        }
        while (p + 4 <= extEnd) {
            int type = b.getUnsignedShort(p);
            int len = b.getUnsignedShort(p + 2);
            p += 4;
            if (p + len > extEnd) {
                return new NotTls("extension overruns the ClientHello");
            }
            if (type == 0) { // server_name
                int listEnd = p + 2 + b.getUnsignedShort(p);
                int q = p + 2;
                while (q + 3 <= listEnd) {
                    int nameType = b.getUnsignedByte(q);
                    int nameLen = b.getUnsignedShort(q + 1);
                    if (nameType == 0) {
                        if (nameLen == 0 || nameLen > 253 || q + 3 + nameLen > listEnd) {
                            return new NotTls("bad server_name length");
                        }
                        return new ServerName(
                                b.toString(q + 3, nameLen, StandardCharsets.US_ASCII));
                    }
                    q += 3 + nameLen;
                }
                return new NoServerName();
            }
            p += len;
        }
        return new NoServerName();
    }
}
