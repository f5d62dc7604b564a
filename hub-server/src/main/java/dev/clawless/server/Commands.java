package dev.clawless.server;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;

import dev.clawless.core.account.PlatformAdmins;
import dev.clawless.core.backup.BackupArchive;
import dev.clawless.core.backup.BackupManifest;
import dev.clawless.core.backup.BackupRefused;
import dev.clawless.core.backup.Restore;
import dev.clawless.core.backup.RestoreFailed;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.PrivateFiles;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.server.config.HubConfig;

/**
 * The hub's commands besides {@code run}, for an operator at the server ({@code clawless migrate}, {@code
 * create-admin}, {@code backup}, {@code restore}, {@code version}): each opens what it needs, does one thing, prints what it did and returns an exit
 * status. With the embedded database they need the hub stopped (H2 allows one process per database file).
 */
final class Commands {

    private Commands() {
    }

    /** The hub's version (from its jar) and the Java runtime it runs on. */
    static String version() {
        return "Clawless " + Hub.version() + System.lineSeparator()
                + "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.home") + ")";
    }

    /** Brings the schema up to date (what every start does first) and prints its version. */
    static int migrate(HubConfig config, PrintStream out) {
        try (Database database = open(config)) {
            out.println("clawless: database " + describe(config) + " is at schema version " + database.schemaVersion());
            return 0;
        }
    }

    /**
     * Creates a platform admin, or resets the password of the account with that address and makes it one. The password
     * is asked for twice on a terminal, else read as the first line of standard input.
     */
    static int createAdmin(HubConfig config, String email, String name, PrintStream out, PrintStream err) {
        char[] password;
        try {
            password = readPassword(err);
        } catch (IOException e) {
            err.println("clawless: cannot read the password: " + e.getMessage());
            return 2;
        }
        if (password == null) {
            err.println("clawless: no password given (type it when asked, or pipe it as one line)");
            return 2;
        }
        try (Database database = open(config)) {
            Clock clock = Clock.systemUTC();
            PlatformAdmins admins = new PlatformAdmins(database, new AuditLog(database, clock), clock, new Ids(clock));
            PlatformAdmins.Outcome outcome = admins.createOrReset(email, name, new String(password));
            String console = config.publicBaseUrl().orElse("http://localhost:" + config.port()) + "/console";
            out.println("clawless: " + (outcome.created() ? "created platform admin " : "platform admin (password reset, "
                    + "signed out everywhere): ") + outcome.email() + " (" + outcome.userId() + ")");
            out.println("clawless: sign in at " + console);
            return 0;
        } catch (ClawlessException.Validation e) {
            err.println("clawless: " + e.getMessage() + ": " + e.errors().stream()
                    .map(f -> (f.field().equals("display_name") ? "name" : f.field()) + " " + f.message()).toList());
            return 2;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** Writes a backup of the whole hub into {@code folder} (the configured backup folder by default). */
    static int backup(HubConfig config, Optional<Path> folder, PrintStream out) throws IOException {
        Path into = folder.orElse(config.backup().folder()).toAbsolutePath();
        PrivateFiles.folder(config.dataDir());
        String[] versions = Database.versions(config.db());
        if (org.flywaydb.core.api.MigrationVersion.fromVersion(versions[1])
                .compareTo(org.flywaydb.core.api.MigrationVersion.fromVersion(versions[0])) > 0) {
            out.println("clawless: the database's schema (version " + versions[1] + ") is newer than this hub's ("
                    + versions[0] + "): back it up with the hub version that runs it");
            return 2;
        }
        // the schema as it is: a backup before an upgrade must not be the upgrade
        try (Database database = Database.open(config.db(), false)) {
            Path archive = BackupArchive.write(database, config.marketplace().store(), config.dataDir(), into, Hub.version(),
                    java.time.Instant.now());
            BackupManifest manifest = BackupArchive.verify(archive);
            out.println("clawless: backup written: " + archive + " (" + Files.size(archive) + " bytes; schema version "
                    + manifest.schemaVersion() + ", " + manifest.tables().size() + " tables, " + manifest.rows()
                    + " rows, " + manifest.files().stream().filter(f -> f.path().startsWith("plugins/")).count()
                    + " plugin files)");
            out.println("clawless: the master key is not in it: keep " + masterKeyWhere(config) + " apart from it");
            return 0;
        }
    }

    /**
     * Restores a backup into the configured database and data folder, which must be empty; checks every checksum and
     * the schema version first, then migrates the schema to this hub's version.
     */
    static int restore(HubConfig config, Path archive, PrintStream out, PrintStream err) throws IOException {
        PrivateFiles.folder(config.dataDir());
        Restore.Result result;
        try {
            result = Restore.run(archive, config.db(), config.marketplace().store(), config.dataDir());
        } catch (BackupRefused e) {
            err.println("clawless: restore refused, nothing was changed: " + e.getMessage());
            return 2;
        } catch (RestoreFailed e) {
            err.println("clawless: restore failed: " + e.getMessage());
            return 1;
        }
        try (Database database = open(config)) {
            out.println("clawless: restored " + archive.getFileName() + " (taken " + result.manifest().createdAt()
                    + " from " + result.manifest().vendor() + ", hub " + result.manifest().hubVersion() + "): "
                    + result.rows() + " rows, " + result.plugins() + " plugin files, into " + describe(config)
                    + ", now at schema version " + database.schemaVersion());
        }
        if (config.masterKey().isEmpty() && !Files.exists(config.dataDir().resolve("master-key"))) {
            err.println("clawless: no master key here yet: put the master key of the hub the backup came from in "
                    + config.dataDir().resolve("master-key") + " or CLAWLESS_MASTER_KEY before the first start, or"
                    + " its sealed secrets (channel credentials, plugin secrets, webhook secrets) cannot be opened");
        }
        return 0;
    }

    private static String masterKeyWhere(HubConfig config) {
        return config.masterKey().isPresent() ? "CLAWLESS_MASTER_KEY" : config.dataDir().resolve("master-key").toString();
    }

    private static Database open(HubConfig config) {
        PrivateFiles.folder(config.dataDir());
        Database database = Database.open(config.db());
        PrivateFiles.secure(config.dataDir());
        return database;
    }

    private static String describe(HubConfig config) {
        return config.embeddedDatabase() ? "embedded H2 in " + config.dataDir().resolve("db") : config.db().safeUrl();
    }

    /** A terminal, not redirected streams (from JDK 22 there is a console object for those too). */
    private static boolean terminal(Console console) {
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console exists only for a terminal
        }
    }

    private static char[] readPassword(PrintStream err) throws IOException {
        Console console = System.console();
        if (terminal(console)) {
            char[] first = console.readPassword("Password for the platform admin (10-200 characters): ");
            char[] again = console.readPassword("The same password again: ");
            if (first == null || again == null || !Arrays.equals(first, again)) {
                err.println("clawless: the two passwords differ");
                return null;
            }
            Arrays.fill(again, '\0');
            return first;
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return line == null || line.isEmpty() ? null : line.toCharArray();
    }
}
