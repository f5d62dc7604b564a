package dev.clawless.core.jobs;

import java.time.Duration;

/**
 * Thrown by a handler to run the job again after {@code delay} (e.g. a platform's {@code Retry-After}), however long;
 * no thread waits meanwhile. It counts as an attempt unless made with {@link #postpone}.
 */
public final class RetryLater extends RuntimeException {

    private final Duration delay;
    private final boolean attempt;

    public RetryLater(String reason, Duration delay) {
        this(reason, delay, true);
    }

    private RetryLater(String reason, Duration delay, boolean attempt) {
        super(reason, null, false, false);
        this.delay = delay;
        this.attempt = attempt;
    }

    /** Runs the job again after {@code delay} without counting this run as an attempt (a self-imposed wait). */
    public static RetryLater postpone(String reason, Duration delay) {
        return new RetryLater(reason, delay, false);
    }

    /** False when this run does not count against the job's attempts. */
    public boolean countsAsAttempt() {
        return attempt;
    }

    public Duration delay() {
        return delay;
    }
}
