package io.realmgate.proxy;

import io.realmgate.proxy.config.CommandLine;
import io.realmgate.proxy.config.ConfigException;
import io.realmgate.proxy.config.ProxyConfig;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar realmgate-proxy.jar [flags]}: exit 2 on bad configuration, 1 if the listener cannot start. */
public final class ProxyMain {
    private ProxyMain() {
    }

    public static void main(String[] args) {
        ProxyConfig config;
        try {
            config = CommandLine.parse(args);
        } catch (CommandLine.HelpRequested h) {
            System.out.println(CommandLine.USAGE);
            return;
        } catch (ConfigException e) {
            System.err.println("realmgate-proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        ProxyServer server = new ProxyServer(config);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("realmgate-proxy: cannot listen on " + config.listen() + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "proxy-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
