package io.realmgate.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PodServiceAccountTest {

    private static String token(String claims) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        return url.encodeToString(
                        "{\"alg\":\"RS256\",\"kid\":\"k\"}".getBytes(StandardCharsets.UTF_8))
                + "."
                + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8))
                + ".c2lnbmF0dXJl";
    }

    @Test
    void theNameIsTheLastPartOfTheTokensSubject() {
        // A projected token as the kubelet mounts it (the claims that matter here).
        String projected =
                token(
                        "{\"aud\":[\"https://kubernetes.default.svc\"],\"exp\":1900000000,"
                                + "\"kubernetes.io\":{\"namespace\":\"realmgate-system\",\"serviceaccount\":{\"name\":"
                                + "\"realmgate-operator\",\"uid\":\"u\"}},\"sub\":\"system:serviceaccount:realmgate-system:"
                                + "realmgate-operator\"}");
        assertThat(PodServiceAccount.name(projected + "\n")).contains("realmgate-operator");
    }

    @Test
    void anythingElseIsNoServiceAccount() {
        assertThat(PodServiceAccount.name(token("{\"sub\":\"alice\"}"))).isEmpty();
        assertThat(PodServiceAccount.name(token("{\"iss\":\"x\"}"))).isEmpty();
        assertThat(PodServiceAccount.name(token("not json"))).isEmpty();
        assertThat(PodServiceAccount.name("a.%%%.c")).isEmpty();
        assertThat(PodServiceAccount.name("opaque-token")).isEmpty();
    }
}
