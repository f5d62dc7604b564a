package dev.clawless.core.jobs;

import java.time.Duration;

/**
 * Thrown by a handler to run the job again after {@code delay} (e.g. a platform's {@code Retry-After}), however long;
 * no thread waits meanwhile. It counts as an attempt.
 */
public final class RetryLater extends RuntimeException {

    private final Duration delay;

    public RetryLater(String reason, Duration delay) {
        super(reason, null, false, false);
        this.delay = delay;
    }

    public Duration delay() {
        return delay;
    }
}
