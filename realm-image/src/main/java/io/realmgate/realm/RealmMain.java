package io.realmgate.realm;

import io.realmgate.common.InvalidSetting;
import io.realmgate.common.LogFormat;
import io.realmgate.common.Transport;
import io.realmgate.realm.config.CommandLine;
import io.realmgate.realm.config.ConfigException;
import io.realmgate.realm.config.RealmConfig;
import io.realmgate.realm.tls.ServerTls;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar realmgate-realm.jar [flags]}: exit 2 on bad configuration, 1 if a listener
 * cannot start.
 */
public final class RealmMain {
    private RealmMain() {}

    public static void main(String[] args) {
        // Before anything logs: logback would otherwise log nowhere for a value it has no appender
        // for.
        try {
            LogFormat.fromEnvironment();
        } catch (InvalidSetting e) {
            System.err.println("realmgate-realm: " + e.getMessage());
            System.exit(2);
            return;
        }
        // Before anything could load the JDK's TLS classes.
        ServerTls.refuseClientRenegotiation();
        RealmConfig config;
        try {
            config = CommandLine.parse(args);
        } catch (CommandLine.HelpRequested h) {
            System.out.println(CommandLine.USAGE);
            return;
        } catch (ConfigException e) {
            System.err.println("realmgate-realm: " + e.getMessage());
            System.exit(2);
            return;
        }
        Transport transport;
        try {
            transport = Transport.fromEnvironment();
        } catch (InvalidSetting e) {
            System.err.println("realmgate-realm: " + e.getMessage());
            System.exit(2);
            return;
        }
        RealmServer server = new RealmServer(config, transport);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("realmgate-realm: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.close();
                                    stopped.countDown();
                                },
                                "realm-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
