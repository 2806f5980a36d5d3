package io.realmgate.realm.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The demo page and the browser client, read from the jar once at start-up. */
public final class StaticContent {
    private final byte[] indexHtml;
    private final byte[] clientJs;

    private StaticContent(byte[] indexHtml, byte[] clientJs) {
        this.indexHtml = indexHtml;
        this.clientJs = clientJs;
    }

    public static StaticContent load() {
        return new StaticContent(read("web/index.html"), read("web/realmgate.js"));
    }

    byte[] indexHtml() {
        return indexHtml;
    }

    byte[] clientJs() {
        return clientJs;
    }

    private static byte[] read(String name) {
        try (InputStream in =
                StaticContent.class.getResourceAsStream("/io/realmgate/realm/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
