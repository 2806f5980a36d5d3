package io.realmgate.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every step-by-step class of the suite shares: the cluster (started by the extension), its
 * client, kubectl and the client pods; one instance per class, methods in their {@code @Order},
 * each bounded to five minutes.
 */
@ExtendWith(TestCluster.Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
abstract class ClusterSteps {
    TestCluster cluster;
    KubernetesClient client;
    Kubectl kubectl;
    ClientPods pods;

    @BeforeAll
    void cluster() {
        cluster = TestCluster.current();
        client = cluster.client;
        kubectl = cluster.kubectl;
        pods = new ClientPods(client);
    }
}
