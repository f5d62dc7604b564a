package dev.clawless.core.backup;

/** A restore that stopped after it began to change the database; the message says what is left and what to do. */
public final class RestoreFailed extends RuntimeException {

    public RestoreFailed(String message, Throwable cause) {
        super(message, cause);
    }
}
