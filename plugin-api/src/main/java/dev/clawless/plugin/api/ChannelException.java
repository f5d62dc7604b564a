package dev.clawless.plugin.api;

import java.time.Duration;
import java.util.Optional;

/**
 * Why a channel could not verify, parse or send. The hub maps {@link Unverified} to 401, {@link Malformed} to 400,
 * handles {@link SendFailed} by retrying or dead-lettering the delivery, and {@link Throttled} by sending later without
 * counting an attempt. Messages must not contain secrets.
 */
public abstract sealed class ChannelException extends RuntimeException
        permits ChannelException.Unverified, ChannelException.Malformed, ChannelException.SendFailed,
        ChannelException.Throttled {

    private ChannelException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The request's signature or secret does not match: it did not come from the platform. */
    public static final class Unverified extends ChannelException {
        public Unverified(String message) {
            super(message, null);
        }
    }

    /** The request is verified but its payload cannot be understood. */
    public static final class Malformed extends ChannelException {
        public Malformed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The platform refused or failed a send. */
    public static final class SendFailed extends ChannelException {
        private final int status;
        private final boolean retryable;
        private final Optional<Duration> retryAfter;
        private final Optional<String> platformCode;

        /**
         * @param message      what went wrong, without secrets
         * @param status       the platform's HTTP status, or 0 when there was no answer (timeout, connection error)
         * @param retryable    true for 429, 5xx and network errors; false when retrying cannot help
         * @param retryAfter   how long the platform asked to wait, if it said
         * @param platformCode the platform's own error code (e.g. Twilio {@code 63016}), if any
         * @param cause        the underlying error, if any
         */
        public SendFailed(String message, int status, boolean retryable, Optional<Duration> retryAfter,
                          Optional<String> platformCode, Throwable cause) {
            super(message, cause);
            this.status = status;
            this.retryable = retryable;
            this.retryAfter = retryAfter;
            this.platformCode = platformCode;
        }

        public int status() {
            return status;
        }

        public boolean retryable() {
            return retryable;
        }

        public Optional<Duration> retryAfter() {
            return retryAfter;
        }

        public Optional<String> platformCode() {
            return platformCode;
        }
    }

    /**
     * The channel holds a send back to stay inside the platform's published rate limits (e.g. Telegram's one message
     * per second per chat). Not a failure: the hub sends again after {@code wait} without counting an attempt.
     */
    public static final class Throttled extends ChannelException {
        private final Duration wait;

        public Throttled(String message, Duration wait) {
            super(message, null);
            this.wait = wait;
        }

        public Duration waitFor() {
            return wait;
        }
    }
}
