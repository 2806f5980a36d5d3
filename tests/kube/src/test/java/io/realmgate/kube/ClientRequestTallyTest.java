package io.realmgate.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The tally names a request as the API server's apiserver_request_total does. */
class ClientRequestTallyTest {
    private static String verbOf(String method, String uri) {
        ApiRequests.Key key = ClientRequestTally.classify(method, URI.create(uri));
        return key == null ? null : key.toString();
    }

    @Test
    void namesRequestsAsTheApiServerCountsThem() {
        String base = "https://127.0.0.1:6443";
        assertThat(verbOf("GET", base + "/apis/realmgate.io/v1alpha1/namespaces/scale/realms"))
                .isEqualTo("LIST realms");
        assertThat(
                        verbOf(
                                "GET",
                                base
                                        + "/apis/realmgate.io/v1alpha1/namespaces/scale/realms?allowWatchBookmarks=true&watch=true"))
                .isEqualTo("WATCH realms");
        assertThat(verbOf("GET", base + "/api/v1/namespaces/scale/secrets/r001-tls"))
                .isEqualTo("GET secrets");
        assertThat(
                        verbOf(
                                "PATCH",
                                base
                                        + "/apis/realmgate.io/v1alpha1/namespaces/scale/realms/r001/status?fieldManager=x&force=true"))
                .isEqualTo("PATCH realms/status");
        assertThat(verbOf("POST", base + "/api/v1/namespaces/scale/events"))
                .isEqualTo("POST events");
        assertThat(verbOf("DELETE", base + "/apis/apps/v1/namespaces/scale/deployments/d"))
                .isEqualTo("DELETE deployments");
        assertThat(verbOf("DELETE", base + "/apis/apps/v1/namespaces/scale/deployments"))
                .isEqualTo("DELETECOLLECTION deployments");
        assertThat(verbOf("PATCH", base + "/api/v1/namespaces/scale"))
                .isEqualTo("PATCH namespaces");
        assertThat(verbOf("GET", base + "/apis/networking.k8s.io/v1/networkpolicies"))
                .isEqualTo("LIST networkpolicies");
        assertThat(verbOf("GET", base + "/metrics")).isNull();
        assertThat(verbOf("GET", base + "/version")).isNull();
        assertThat(verbOf("GET", base + "/apis/apps/v1")).isNull();
    }
}
