package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import io.realmgate.realm.hub.Frame;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One SSE encoding per event, whatever the number of event streams it goes to. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharedStreamFrameTest {
    private static final int STREAMS = 100;
    private static final int EVENTS = 10;

    @Test
    void hundredStreamsOfOneChannelShareEachEventsEncoding() throws Exception {
        try (RunningRealm realm = RunningRealm.start();
                RawWebSocket pub = RawWebSocket.open(realm.ws())) {
            List<Socket> sockets = new ArrayList<>();
            List<InputStream> ins = new ArrayList<>();
            try {
                for (int i = 0; i < STREAMS; i++) {
                    Socket s = new Socket("127.0.0.1", realm.ws().getPort());
                    s.setSoTimeout(10_000);
                    sockets.add(s);
                    s.getOutputStream()
                            .write(
                                    "GET /stream?sub=shared HTTP/1.1\r\nHost: realm\r\n\r\n"
                                            .getBytes(StandardCharsets.US_ASCII));
                    ins.add(new BufferedInputStream(s.getInputStream()));
                }
                for (InputStream in : ins) {
                    // Until the stream's subscribed frame: it is registered on the channel.
                    for (String l = HttpLines.line(in);
                            !(l.startsWith("data: ") && l.contains("subscribed"));
                            l = HttpLines.line(in)) {
                        // head, comment, chunk sizes
                    }
                }
                long before = Frame.sseEncodings();
                for (int i = 0; i < EVENTS; i++) {
                    pub.sendText(
                            "{\"op\":\"publish\",\"channel\":\"shared\",\"data\":\"shared-"
                                    + i
                                    + "\"}");
                    assertThat(pub.readText()).contains("ack");
                }
                for (InputStream in : ins) {
                    for (int i = 0; i < EVENTS; i++) {
                        String l = HttpLines.line(in);
                        while (!l.startsWith("data: ")) {
                            l = HttpLines.line(in);
                        }
                        assertThat(l)
                                .contains("\"shared-" + i + "\"")
                                .contains("\"id\":" + (i + 1));
                    }
                }
                // 100 streams x 10 events written, 10 encodings: one per event.
                assertThat(Frame.sseEncodings() - before).isEqualTo(EVENTS);
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
