package io.realmgate.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.awaitility.Awaitility;

/** What a realm serves, as a test on the host sees it. */
final class ServedCertificates {
    private ServedCertificates() {}

    /**
     * The certificate a realm pod serves on 9443 now, read through a port-forward to it.
     *
     * @param instance the realm's name (its pods' {@code app.kubernetes.io/instance})
     * @param serverName the SNI name sent
     */
    static X509Certificate read(
            KubernetesClient client,
            Kubectl kubectl,
            Path logs,
            String namespace,
            String instance,
            String serverName)
            throws Exception {
        String pod =
                client.pods()
                        .inNamespace(namespace)
                        .withLabel("app.kubernetes.io/instance", instance)
                        .list()
                        .getItems()
                        .get(0)
                        .getMetadata()
                        .getName();
        int local;
        try (ServerSocket s = new ServerSocket(0)) {
            local = s.getLocalPort();
        }
        Process forward =
                kubectl.start(
                        logs.resolve("forward-" + local + ".log"),
                        "-n",
                        namespace,
                        "port-forward",
                        "--address=127.0.0.1",
                        "pod/" + pod,
                        local + ":9443");
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            // Only to read what is served; the chain is checked by the clients in pods, not here.
            tls.init(
                    null,
                    new TrustManager[] {
                        new X509TrustManager() {
                            @Override
                            public void checkClientTrusted(
                                    X509Certificate[] chain, String authType) {}

                            @Override
                            public void checkServerTrusted(
                                    X509Certificate[] chain, String authType) {}

                            @Override
                            public X509Certificate[] getAcceptedIssuers() {
                                return new X509Certificate[0];
                            }
                        }
                    },
                    null);
            int port = local;
            return Awaitility.await()
                    .atMost(20, TimeUnit.SECONDS)
                    .pollInterval(300, TimeUnit.MILLISECONDS)
                    .ignoreExceptions()
                    .until(
                            () -> {
                                try (Socket raw = new Socket("127.0.0.1", port);
                                        SSLSocket s =
                                                (SSLSocket)
                                                        tls.getSocketFactory()
                                                                .createSocket(
                                                                        raw,
                                                                        serverName,
                                                                        port,
                                                                        true)) {
                                    s.setSoTimeout(5000);
                                    s.startHandshake();
                                    return (X509Certificate)
                                            s.getSession().getPeerCertificates()[0];
                                }
                            },
                            c -> c != null);
        } finally {
            forward.destroy();
            forward.waitFor(5, TimeUnit.SECONDS);
            forward.destroyForcibly();
        }
    }
}
