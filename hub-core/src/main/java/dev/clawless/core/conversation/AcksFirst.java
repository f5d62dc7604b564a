package dev.clawless.core.conversation;

import java.time.Duration;
import java.util.function.LongSupplier;

import dev.clawless.core.jobs.JobWorker;

/**
 * Acknowledgements before background work, for a bounded time. While webhooks arrive faster than the
 * {@link InboundLog}'s writer commits them one at a time (its batches hold several requests: senders wait on one
 * another's commit), everything the node would do with those events afterwards — deriving them into conversations,
 * running turns and deliveries — waits, so that the two cores go to acknowledging. The events are durable in the log
 * already; nothing is lost by deriving them a little later, while a platform that waits too long for its
 * acknowledgement retries (or, for Meta, disables the webhook).
 *
 * <p>The wait is bounded: background work is held back for at most {@code maxDefer} from the start of a busy period
 * (a run of busy batches less than {@link #QUIET} apart), then it runs at its normal pace, sharing the machine with the
 * acknowledgements, until the writer has been quiet for {@link #QUIET}. A burst shorter than {@code maxDefer} is so
 * absorbed at the writer's full rate and worked off after it; a sustained flood gets both, and the log cannot grow
 * without end. A request alone in its batch (the writer keeps up) never holds anything back.
 */
public final class AcksFirst implements JobWorker.Gate {

    /** How long after the last busy batch the writer counts as quiet again. */
    static final Duration QUIET = Duration.ofMillis(50);
    /** How often a held-back thread looks again. */
    private static final long CHECK_MILLIS = 10;

    /** Never holds anything back. */
    public static final AcksFirst OFF = new AcksFirst(Duration.ZERO, System::nanoTime);

    private final long maxDeferNanos;
    private final LongSupplier nanos;
    private volatile long lastBusy;
    private volatile long busySince;
    private volatile boolean busy;

    /**
     * @param maxDefer the longest background work is held back per busy period; zero: never
     * @param nanos    the monotonic clock ({@link System#nanoTime} outside tests)
     */
    public AcksFirst(Duration maxDefer, LongSupplier nanos) {
        this.maxDeferNanos = maxDefer.toNanos();
        this.nanos = nanos;
    }

    /** The writer committed a batch of {@code requests} requests. */
    void batchWritten(int requests) {
        if (requests < 2 || maxDeferNanos == 0) {
            return;
        }
        long now = nanos.getAsLong();
        synchronized (this) {
            if (!busy || now - lastBusy > QUIET.toNanos()) {
                busySince = now;
            }
            busy = true;
            lastBusy = now;
        }
    }

    /** True while background work should wait. */
    public boolean holding() {
        if (!busy) {
            return false;
        }
        long now = nanos.getAsLong();
        return now - lastBusy <= QUIET.toNanos() && now - busySince < maxDeferNanos;
    }

    /** Returns once background work may go on (at once, mostly). */
    @Override
    public void awaitTurn() throws InterruptedException {
        while (holding()) {
            Thread.sleep(CHECK_MILLIS);
        }
    }
}
