package io.realmgate.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Headers meant for one connection only (RFC 9110 section 7.6.1), which a proxy must not pass on:
 * Connection and every header it names, plus the well-known ones. Proxy-Authorization is for this
 * proxy and never leaves it. Transfer-Encoding stays: Netty re-frames the body to match it.
 */
final class HopByHopHeaders {
    private static final List<CharSequence> FIXED =
            List.of(
                    HttpHeaderNames.CONNECTION,
                    HttpHeaderNames.KEEP_ALIVE,
                    HttpHeaderNames.PROXY_CONNECTION,
                    HttpHeaderNames.TE,
                    HttpHeaderNames.TRAILER,
                    HttpHeaderNames.UPGRADE,
                    HttpHeaderNames.PROXY_AUTHORIZATION,
                    HttpHeaderNames.PROXY_AUTHENTICATE);

    private HopByHopHeaders() {}

    static void strip(HttpHeaders headers) {
        List<String> named = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                // Connection must not strip the framing headers; a hostile client could desync the
                // upstream.
                if (!t.isEmpty()
                        && !t.equals("content-length")
                        && !t.equals("transfer-encoding")
                        && !t.equals("host")) {
                    named.add(t);
                }
            }
        }
        for (String n : named) {
            headers.remove(n);
        }
        for (CharSequence n : FIXED) {
            headers.remove(n);
        }
    }
}
