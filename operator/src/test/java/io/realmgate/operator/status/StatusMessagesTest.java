package io.realmgate.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

class StatusMessagesTest {

    @Test
    void aFailureIsSummedUpByItsInnermostCauseOnOneBoundedLine() {
        Exception nested =
                new IllegalStateException(
                        "workflow failed",
                        new KubernetesClientException(
                                "secrets \"realmgate-ca\" is forbidden:\n  User \"x\" cannot get"));
        assertThat(StatusMessages.failure(nested))
                .isEqualTo("secrets \"realmgate-ca\" is forbidden: User \"x\" cannot get");
        assertThat(StatusMessages.failure(new RuntimeException("x".repeat(5000))))
                .hasSize(StatusMessages.MAX_LENGTH)
                .endsWith("...");
        assertThat(StatusMessages.failure(new NullPointerException()))
                .isEqualTo("NullPointerException");
    }

    @Test
    void messagesUpToTheLimitStayWhole() {
        String limit = "y".repeat(StatusMessages.MAX_LENGTH);
        assertThat(StatusMessages.bounded(limit)).isEqualTo(limit);
        assertThat(StatusMessages.bounded(limit + "z"))
                .hasSize(StatusMessages.MAX_LENGTH)
                .endsWith("y...");
        assertThat(StatusMessages.bounded(null)).isEmpty();
    }
}
