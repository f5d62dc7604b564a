package dev.clawless.server;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

import dev.clawless.server.config.ConfigException;
import dev.clawless.server.config.ConfigLoader;
import dev.clawless.server.config.HubConfig;
import dev.clawless.server.logging.Logging;

/**
 * Starts the hub: {@code java -jar clawless-hub.jar [--config FILE]}. Exit status 2 means the configuration is
 * invalid, 1 that the hub could not start. {@code --aot-training} runs {@link AotTraining} instead.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        Optional<Path> file = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Optional.of(Path.of(args[++i]));
            } else if (args[i].equals("--aot-training")) {
                // the JVM writes its AOT cache when this run exits (see AotTraining)
                System.exit(AotTraining.run());
                return;
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                out.println("usage: clawless-hub [--config FILE]   (see docs/configuration.md)");
                return;
            } else {
                System.err.println("clawless: unknown argument '" + args[i] + "'; usage: clawless-hub [--config FILE]");
                System.exit(2);
            }
        }
        HubConfig config;
        try {
            config = ConfigLoader.load(file, System.getenv());
        } catch (ConfigException e) {
            System.err.println("clawless: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logging.configure(config.logLevel(), config.logJson());
        Hub hub;
        try {
            hub = Hub.start(config);
        } catch (RuntimeException e) {
            System.err.println("clawless: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(hub::close, "clawless-shutdown"));
        out.println();
        out.println("  Clawless hub is running at " + hub.baseUrl());
        out.println("  Health:      " + hub.baseUrl() + "/health/ready");
        out.println("  Database:    " + (config.embeddedDatabase() ? "embedded H2 in " + config.dataDir().resolve("db")
                : config.db().safeUrl()));
        hub.setupLink().ifPresent(link -> {
            out.println("  First admin: open this one-time link to create the first platform admin:");
            out.println("               " + link);
        });
        out.println("  Console:     " + hub.baseUrl() + "/console");
        AdminToken token = hub.adminToken();
        if (token.generated()) {
            out.println("  Admin token: " + token.value());
            out.println("               (generated on this first run, kept in " + token.file().orElseThrow()
                    + "; set CLAWLESS_ADMIN_TOKEN to use your own)");
        } else if (token.file().isPresent()) {
            out.println("  Admin token: in " + token.file().get());
        } else {
            out.println("  Admin token: from configuration (CLAWLESS_ADMIN_TOKEN)");
        }
        out.println();
        out.flush();
    }
}
