package io.realmgate.proxy.http;

import io.netty.handler.codec.http.HttpRequest;
import io.realmgate.proxy.access.Target;
import java.util.Locale;

/**
 * An absolute-URI request ({@code GET http://host:port/path?q}) taken apart: where it goes and the
 * origin-form target the upstream server expects. Only {@code http} is forwarded; TLS goes through
 * CONNECT, where the proxy never sees the plaintext.
 */
record ForwardRequest(HttpRequest request, Target target, String authority, String originForm) {

    static ForwardRequest of(HttpRequest request) {
        String uri = request.uri();
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException(
                    "not a proxy request: '"
                            + abbreviate(uri)
                            + "' is not an absolute URI (use http://host:port/path or CONNECT)");
        }
        String scheme = uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException(
                    "scheme '" + scheme + "' is not forwarded; use CONNECT for TLS");
        }
        int authStart = schemeEnd + 3;
        int pathStart = authStart;
        while (pathStart < uri.length() && "/?#".indexOf(uri.charAt(pathStart)) < 0) {
            pathStart++;
        }
        String authority = uri.substring(authStart, pathStart);
        Target target;
        try {
            target = Target.parse(authority, 80);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad authority in URI: " + e.getMessage());
        }
        String rest = uri.substring(pathStart);
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
        }
        if (rest.isEmpty() || rest.charAt(0) == '?') {
            rest = "/" + rest;
        }
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new IllegalArgumentException(
                        "URI contains a control, space or non-ASCII character");
            }
        }
        return new ForwardRequest(request, target, authority, rest);
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
