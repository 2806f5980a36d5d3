package io.realmgate.proxy;

import io.realmgate.common.InvalidSetting;
import io.realmgate.common.LogFormat;
import io.realmgate.common.Transport;
import io.realmgate.proxy.access.TargetResolver;
import io.realmgate.proxy.config.CommandLine;
import io.realmgate.proxy.config.ConfigException;
import io.realmgate.proxy.config.ProxyConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar realmgate-proxy.jar [flags]}: exit 2 on bad configuration, 1 if the listener
 * cannot start.
 */
public final class ProxyMain {
    private ProxyMain() {}

    public static void main(String[] args) {
        // Before anything logs: logback would otherwise log nowhere for a value it has no appender
        // for.
        try {
            LogFormat.fromEnvironment();
        } catch (InvalidSetting e) {
            System.err.println("realmgate-proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        ProxyConfig config;
        Optional<Path> configFile;
        try {
            config = CommandLine.parse(args);
            configFile = CommandLine.configFile(args);
        } catch (CommandLine.HelpRequested h) {
            System.out.println(CommandLine.USAGE);
            return;
        } catch (ConfigException e) {
            System.err.println("realmgate-proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        Transport transport;
        try {
            transport = Transport.fromEnvironment();
        } catch (InvalidSetting e) {
            System.err.println("realmgate-proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        int warmUpTunnels;
        try {
            warmUpTunnels = TunnelWarmUp.tunnels(System.getenv());
        } catch (InvalidSetting e) {
            System.err.println("realmgate-proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        ProxyServer server =
                new ProxyServer(config, TargetResolver.SYSTEM, transport).warmUpWith(warmUpTunnels);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println(
                    "realmgate-proxy: cannot start on " + config.listen() + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        // Config file, users file and TLS files are re-read when they change; flags keep overriding
        // the file.
        server.watchConfig(() -> CommandLine.parse(args), configFile.orElse(null));
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM (Kubernetes stopping the pod): drain, then exit.
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.drain();
                                    stopped.countDown();
                                },
                                "proxy-drain"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
