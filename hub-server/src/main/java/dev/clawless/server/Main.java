package dev.clawless.server;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;

import dev.clawless.server.config.ConfigException;
import dev.clawless.server.config.ConfigLoader;
import dev.clawless.server.config.HubConfig;
import dev.clawless.server.logging.Logging;

/**
 * Starts the hub: {@code java -jar clawless-hub.jar [run] [--config FILE]}, or runs one of its {@link Commands}
 * ({@code migrate}, {@code create-admin}, {@code backup}, {@code restore}, {@code version}). Exit status 2 means the
 * configuration or the command line is invalid (or a restore was refused), 1 that the hub could not start (or the
 * command failed). {@code --aot-training} runs {@link AotTraining} instead.
 */
public final class Main {

    private Main() {
    }

    private static final String USAGE = String.join(System.lineSeparator(),
            "usage: clawless-hub [run] [--config FILE]       start the hub (docs/configuration.md)",
            "       clawless-hub migrate [--config FILE]     bring the database schema up to date and exit",
            "       clawless-hub create-admin --email E --name N [--config FILE]",
            "                                               create a platform admin (password from the terminal"
                    + " or stdin)",
            "       clawless-hub backup [--out DIR] [--config FILE]",
            "                                               write a backup of the whole hub (stop an H2 hub first)",
            "       clawless-hub restore ARCHIVE [--config FILE]",
            "                                               restore a backup into an empty database and data folder",
            "       clawless-hub version                     the hub's and the Java runtime's versions");

    /**
     * The embedding runtime (DJL's tokenizer) unpacks its native library into a cache under the user's home by
     * default; a service user may have no home, or a read-only one (systemd's {@code ProtectHome}, {@code
     * DynamicUser}). It goes under the data folder instead, unless {@code DJL_CACHE_DIR} says otherwise; and DJL's
     * usage tracking is off.
     */
    static void nativeLibraryCache(Path dataDir) {
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", dataDir.resolve("cache").resolve("djl").toAbsolutePath().toString());
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        String command = "run";
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("-")) {
            command = args[0];
            i = 1;
        }
        Optional<Path> file = Optional.empty();
        Optional<String> email = Optional.empty();
        Optional<String> name = Optional.empty();
        Optional<Path> backupFolder = Optional.empty();
        Optional<Path> archive = Optional.empty();
        for (; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Optional.of(Path.of(args[++i]));
            } else if (args[i].equals("--email") && i + 1 < args.length && command.equals("create-admin")) {
                email = Optional.of(args[++i]);
            } else if (args[i].equals("--name") && i + 1 < args.length && command.equals("create-admin")) {
                name = Optional.of(args[++i]);
            } else if (args[i].equals("--out") && i + 1 < args.length && command.equals("backup")) {
                backupFolder = Optional.of(Path.of(args[++i]));
            } else if (command.equals("restore") && archive.isEmpty() && !args[i].startsWith("-")) {
                archive = Optional.of(Path.of(args[i]));
            } else if (args[i].equals("--aot-training")) {
                // the JVM writes its AOT cache when this run exits (see AotTraining)
                System.exit(AotTraining.run());
                return;
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                out.println(USAGE);
                return;
            } else {
                System.err.println("clawless: unknown argument '" + args[i] + "'");
                System.err.println(USAGE);
                System.exit(2);
            }
        }
        switch (command) {
            case "run", "migrate", "create-admin", "backup", "restore" -> {
            }
            case "version" -> {
                out.println(Commands.version());
                return;
            }
            case "help" -> {
                out.println(USAGE);
                return;
            }
            default -> {
                System.err.println("clawless: unknown command '" + command + "'");
                System.err.println(USAGE);
                System.exit(2);
            }
        }
        if (command.equals("create-admin") && (email.isEmpty() || name.isEmpty())) {
            System.err.println("clawless: create-admin needs --email and --name");
            System.exit(2);
        }
        if (command.equals("restore") && archive.isEmpty()) {
            System.err.println("clawless: restore needs the archive to restore (a clawless-backup-….zip)");
            System.exit(2);
        }
        HubConfig config;
        try {
            config = ConfigLoader.load(file, System.getenv());
        } catch (ConfigException e) {
            System.err.println("clawless: " + e.getMessage());
            System.exit(2);
            return;
        }
        nativeLibraryCache(config.dataDir());
        if (!command.equals("run")) {
            Logging.configure(java.util.logging.Level.WARNING, false);
            int status;
            try {
                status = switch (command) {
                    case "migrate" -> Commands.migrate(config, out);
                    case "backup" -> Commands.backup(config, backupFolder, out);
                    case "restore" -> Commands.restore(config, archive.orElseThrow(), out, System.err);
                    default -> Commands.createAdmin(config, email.orElseThrow(), name.orElseThrow(), out, System.err);
                };
            } catch (RuntimeException | java.io.IOException e) {
                System.err.println("clawless: " + e.getMessage());
                status = 1;
            }
            System.exit(status);
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
