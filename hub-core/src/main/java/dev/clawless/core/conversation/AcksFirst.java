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
 * <p>The wait is bounded by a budget of {@code maxDefer}: a busy period (busy batches less than {@link #QUIET} apart)
 * holds background work back for at most the budget left, and holding spends it; every moment background work may
 * run earns it back, up to {@code maxDefer}. So one burst shorter than {@code maxDefer} is acknowledged at the
 * writer's full rate and worked off after it; a sustained flood is held for {@code maxDefer}, then shares the machine
 * until the writer rests; and bursts that keep coming with short gaps between them hold background work back no
 * longer, over time, than they let it run — the log cannot grow without end. A request alone in its batch (the
 * writer keeps up) holds nothing back; two that happened to arrive together hold it for {@link #QUIET}.
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
    private volatile boolean busy;
    private volatile long lastBusy;
    /** When the current busy period's hold ends at the latest. */
    private volatile long holdUntil;
    /** Only the writer's thread (under this lock): the hold time left, and when the current busy period began. */
    private long budget;
    private long periodStart;

    /**
     * @param maxDefer the longest background work is held back at once (and the most hold time that is saved up);
     *                 zero: never
     * @param nanos    the monotonic clock ({@link System#nanoTime} outside tests)
     */
    public AcksFirst(Duration maxDefer, LongSupplier nanos) {
        this.maxDeferNanos = maxDefer.toNanos();
        this.nanos = nanos;
        this.budget = maxDeferNanos;
    }

    /** The writer committed a batch of {@code requests} requests. */
    void batchWritten(int requests) {
        if (requests < 2 || maxDeferNanos == 0) {
            return;
        }
        long now = nanos.getAsLong();
        synchronized (this) {
            if (!busy || now - lastBusy > QUIET.toNanos()) { // a new busy period
                if (busy) {
                    // the last period held work back until its writer rested or its hold ran out; since then the
                    // work has run, which earns hold time back
                    long end = Math.min(lastBusy + QUIET.toNanos(), holdUntil);
                    budget = Math.max(0, budget - Math.max(0, end - periodStart));
                    budget = Math.min(maxDeferNanos, budget + Math.max(0, now - end));
                }
                periodStart = now;
                holdUntil = now + budget;
            }
            lastBusy = now;
            busy = true;
        }
    }

    /** True while background work should wait. */
    public boolean holding() {
        if (!busy) {
            return false;
        }
        long now = nanos.getAsLong();
        return now - lastBusy <= QUIET.toNanos() && now - holdUntil < 0;
    }

    /** Returns once background work may go on (at once, mostly). */
    @Override
    public void awaitTurn() throws InterruptedException {
        while (holding()) {
            Thread.sleep(CHECK_MILLIS);
        }
    }
}
