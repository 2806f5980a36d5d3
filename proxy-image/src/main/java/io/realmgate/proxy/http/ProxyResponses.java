package io.realmgate.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The proxy's own answers: short plain-text bodies that say why, always followed by a close. */
final class ProxyResponses {
    /** Sent raw once the HTTP encoder is gone, when a CONNECT tunnel opens. */
    static final ByteBuf CONNECTION_ESTABLISHED =
            Unpooled.unreleasableBuffer(
                            Unpooled.directBuffer()
                                    .writeBytes(
                                            "HTTP/1.1 200 Connection Established\r\n\r\n"
                                                    .getBytes(StandardCharsets.US_ASCII)))
                    .asReadOnly();

    private ProxyResponses() {}

    static FullHttpResponse error(int status, String reason, ViaHeader via) {
        HttpResponseStatus s = HttpResponseStatus.valueOf(status);
        byte[] body =
                (s.code() + " " + s.reasonPhrase() + ": " + reason + "\n")
                        .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        via.addTo(r, "1.1");
        return r;
    }
}
