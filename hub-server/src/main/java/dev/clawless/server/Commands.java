package dev.clawless.server;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;

import dev.clawless.core.account.PlatformAdmins;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.PrivateFiles;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.server.config.HubConfig;

/**
 * The hub's commands besides {@code run}, for an operator at the server ({@code clawless migrate}, {@code
 * create-admin}, {@code version}): each opens what it needs, does one thing, prints what it did and returns an exit
 * status. With the embedded database they need the hub stopped (H2 allows one process per database file).
 */
final class Commands {

    private Commands() {
    }

    /** The hub's version (from its jar) and the Java runtime it runs on. */
    static String version() {
        String hub = Optional.ofNullable(Commands.class.getPackage().getImplementationVersion()).orElse("development");
        return "Clawless " + hub + System.lineSeparator()
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
