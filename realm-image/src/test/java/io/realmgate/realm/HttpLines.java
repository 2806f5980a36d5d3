package io.realmgate.realm;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads an HTTP response off a raw socket a line at a time (status line, headers, SSE lines), for
 * tests.
 */
final class HttpLines {
    private HttpLines() {}

    /**
     * The next line without its CRLF; EOF before the line ends is an {@link EOFException} with what
     * came.
     */
    static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException(b.toString());
            }
            b.append((char) c);
        }
        return b.toString().strip();
    }
}
