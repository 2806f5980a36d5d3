package io.realmgate.realm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Event data comes back as the publisher wrote it; {@code from} out of range is refused on
 * WebSocket.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExactPayloadTest {
    private static RunningRealm realm;

    @BeforeAll
    static void start() throws Exception {
        realm = RunningRealm.start();
    }

    @AfterAll
    static void stop() {
        realm.close();
    }

    private static final String WRITTEN =
            "[1e400, 123456789012345678901234567890, -0.10, {\"a\" :\n \"x\\n y\\u00e9\"}, 1E-7]";
    private static final String EXPECTED =
            "[1e400,123456789012345678901234567890,-0.10,{\"a\":\"x\\n y\\u00e9\"},1E-7]";

    @Test
    void dataPublishedOverWebSocketIsKeptAsWritten() throws Exception {
        try (RawWebSocket sub = RawWebSocket.open(realm.ws());
                RawWebSocket pub = RawWebSocket.open(realm.ws())) {
            sub.sendText("{\"op\":\"subscribe\",\"channel\":\"exact-ws\"}");
            assertThat(sub.readText()).contains("subscribed");
            pub.sendText(
                    "{\"op\":\"publish\",\"channel\":\"exact-ws\",\"data\": "
                            + WRITTEN
                            + " ,\"ref\":1}");
            assertThat(pub.readText()).contains("ack");
            assertThat(sub.readText()).endsWith("\"data\":" + EXPECTED + "}");
            // Scalars too.
            pub.sendText(
                    "{\"op\":\"publish\",\"channel\":\"exact-ws\",\"data\":123456789012345678901234567890}");
            assertThat(sub.readText()).endsWith("\"data\":123456789012345678901234567890}");
            pub.sendText("{\"data\":\"a\\\"b\",\"op\":\"publish\",\"channel\":\"exact-ws\"}");
            assertThat(sub.readText()).endsWith("\"data\":\"a\\\"b\"}");
        }
    }

    @Test
    void dataPublishedOverHttpIsKeptAsWritten() throws Exception {
        try (RawWebSocket sub = RawWebSocket.open(realm.ws())) {
            sub.sendText("{\"op\":\"subscribe\",\"channel\":\"exact-http\"}");
            assertThat(sub.readText()).contains("subscribed");
            HttpResponse<String> r =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(realm.http() + "/publish"))
                                            .timeout(Duration.ofSeconds(5))
                                            .header("Content-Type", "application/json")
                                            .POST(
                                                    HttpRequest.BodyPublishers.ofString(
                                                            "{\"channel\":\"exact-http\",\"data\":"
                                                                    + WRITTEN
                                                                    + "}"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(sub.readText()).endsWith("\"data\":" + EXPECTED + "}");
        }
    }

    @Test
    void theJavaClientSendsAndReceivesDataAsWritten() throws Exception {
        try (io.realmgate.realm.client.RealmClient sub =
                        io.realmgate.realm.client.RealmClient.builder(realm.wsUri()).build();
                io.realmgate.realm.client.RealmClient pub =
                        io.realmgate.realm.client.RealmClient.builder(realm.wsUri()).build()) {
            sub.connect().get(5, TimeUnit.SECONDS);
            pub.connect().get(5, TimeUnit.SECONDS);
            Inbox in = new Inbox();
            sub.subscribe("exact-java", in).get(5, TimeUnit.SECONDS);
            pub.publish("exact-java", EXPECTED).get(5, TimeUnit.SECONDS);
            assertThat(in.next().data()).isEqualTo(EXPECTED);
            assertThat(pub.publish("exact-java", "1 2")).failsWithin(Duration.ofSeconds(5));
        }
    }

    @Test
    void fromOutOfRangeIsRefusedWithAnError() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(realm.ws())) {
            for (String from :
                    new String[] {
                        "18446744073709551616",
                        "18446744073709551617",
                        "9223372036854775808",
                        "-1",
                        "-2",
                        "1e20",
                        "1.5",
                        "\"3\""
                    }) {
                ws.sendText(
                        "{\"op\":\"subscribe\",\"channel\":\"from-range\",\"from\":"
                                + from
                                + ",\"ref\":\"r\"}");
                assertThat(ws.readText())
                        .as("from %s", from)
                        .contains("\"error\"")
                        .contains("bad-request");
            }
            ws.sendText("{\"op\":\"subscribe\",\"channel\":\"from-range\",\"from\":0}");
            assertThat(ws.readText()).contains("subscribed");
        }
    }
}
