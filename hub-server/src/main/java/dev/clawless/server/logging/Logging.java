package dev.clawless.server.logging;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/** Sets up java.util.logging, which Helidon logs to and SLF4J (Hikari, Flyway) is bound to. */
public final class Logging {

    // Held strongly: java.util.logging forgets the level of a logger nobody references.
    private static final Logger HIKARI = Logger.getLogger("com.zaxxer.hikari");
    /** DJL (under the embedding runtime) warns on every start that the machine has no CUDA GPU, which is expected. */
    private static final Logger DJL = Logger.getLogger("ai.djl");
    /** Helidon's wire logger writes raw request headers (Authorization included) at FINE. */
    private static final Logger WIRE = Logger.getLogger("io.helidon.webserver.http1.Http1LoggingConnectionListener");
    private static final Pattern SECRETS = Pattern.compile(
            "(?i)(authorization\\s*[:=]\\s*)[^\\r\\n,}\"]+|(bearer\\s+)[^\\s,}\"]+|ck_live_[A-Za-z0-9]+_[A-Za-z0-9]+");

    private Logging() {
    }

    /**
     * Keeps loggers that would write credentials at or above INFO, whatever the root level. The hub calls this at
     * start; {@link #configure} calls it too.
     */
    public static void guardSecrets() {
        WIRE.setLevel(Level.INFO);
    }

    /** Masks credentials in a log message: Authorization header values, bearer tokens and API keys. */
    public static String redact(String message) {
        if (message == null) {
            return null;
        }
        return SECRETS.matcher(message).replaceAll(m -> {
            if (m.group(1) != null) {
                return java.util.regex.Matcher.quoteReplacement(m.group(1) + "****");
            }
            if (m.group(2) != null) {
                return java.util.regex.Matcher.quoteReplacement(m.group(2) + "****");
            }
            return "ck_live_****";
        });
    }

    /** Replaces the root handlers with one stderr handler at {@code level}, in JSON or text. */
    public static void configure(Level level, boolean json) {
        LogManager.getLogManager().reset();
        guardSecrets();
        Logger root = Logger.getLogger("");
        Handler handler = new ConsoleHandler();
        handler.setLevel(level);
        handler.setFormatter(json ? new JsonLogFormatter() : new TextLogFormatter());
        root.addHandler(handler);
        root.setLevel(level);
        // Hikari and Flyway are chatty at INFO about every pool and migration step.
        HIKARI.setLevel(level.intValue() < Level.INFO.intValue() ? level : Level.WARNING);
        DJL.setLevel(level.intValue() < Level.INFO.intValue() ? level : Level.SEVERE);
    }
}
