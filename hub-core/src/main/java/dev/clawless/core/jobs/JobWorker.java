package dev.clawless.core.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs claimed jobs on virtual threads, at most {@link JobConfig#workers()} at once, renewing each lease while its
 * job runs. One poller thread claims work whenever there is a free slot, when woken by {@link #wake()} or a finished
 * job, and at least every {@link JobConfig#pollInterval()}. While claiming fails (the database is down) it backs off,
 * up to {@link #MAX_CLAIM_BACKOFF}, logs the outage once and goes on; a job whose outcome cannot be recorded runs
 * again when its lease ends. Thread-safe.
 */
public final class JobWorker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JobWorker.class.getName());
    /** The longest wait between claims while claiming fails. */
    static final Duration MAX_CLAIM_BACKOFF = Duration.ofSeconds(5);

    private final JobQueue queue;
    private final Map<String, JobHandler> handlers;
    private final String name;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final java.util.Set<Thread> jobThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean abandoning;
    private final Semaphore wakeUp = new Semaphore(0);
    private volatile Thread poller;
    private volatile Gate gate = () -> { };

    /** What a worker waits for before it claims jobs (e.g. a burst of webhooks being acknowledged first). */
    @FunctionalInterface
    public interface Gate {
        /** Returns when claiming may go on. */
        void awaitTurn() throws InterruptedException;
    }

    /**
     * @param queue    the queue to work on
     * @param handlers handler per job kind
     * @param name     this worker's name, part of every lease token (e.g. host and process id)
     */
    public JobWorker(JobQueue queue, Map<String, JobHandler> handlers, String name) {
        this.queue = queue;
        this.handlers = Map.copyOf(handlers);
        this.name = name;
    }

    public void start() {
        if (running.compareAndSet(false, true)) {
            poller = Thread.ofVirtual().name("clawless-jobs-poller").start(this::poll);
        }
    }

    /** Claims only when {@code gate} lets it (before {@link #start}). */
    public void gate(Gate gate) {
        this.gate = gate;
    }

    /** Tells the worker new jobs may be due (e.g. just enqueued on this node). */
    public void wake() {
        wakeUp.release();
    }

    /** Jobs running now. */
    public int inFlight() {
        return inFlight.get();
    }

    private void poll() {
        JobConfig config = queue.config();
        int failures = 0;
        while (running.get()) {
            int free = config.workers() - inFlight.get();
            int claimed = 0;
            if (free > 0) {
                try {
                    gate.awaitTurn();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (!running.get()) {
                    break; // stopped while the gate held it: claim nothing more
                }
                try {
                    for (Job job : queue.claim(name, free)) {
                        claimed++;
                        inFlight.incrementAndGet();
                        Thread.ofVirtual().name("clawless-job-" + job.id()).start(() -> run(job));
                    }
                    if (failures > 0) {
                        int failed = failures;
                        LOG.info(() -> "claiming jobs works again, after " + failed + " failed attempts");
                        failures = 0;
                    }
                } catch (RuntimeException e) {
                    // the database is down, most likely: wait longer each time (up to MAX_CLAIM_BACKOFF), say it
                    // once, and never stop
                    failures++;
                    LOG.log(failures == 1 ? Level.WARNING : Level.FINE, "claiming jobs failed; retrying until it"
                            + " works", e);
                    try {
                        Thread.sleep(claimBackoff(config.pollInterval(), failures));
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    continue;
                }
            }
            if (claimed == 0 || free - claimed <= 0) {
                try {
                    wakeUp.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    wakeUp.drainPermits();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The wait after the {@code failures}-th claim in a row failed: the poll interval doubled each time, capped. */
    static Duration claimBackoff(Duration pollInterval, int failures) {
        long millis = pollInterval.toMillis() << Math.min(Math.max(failures - 1, 0), 16);
        return Duration.ofMillis(Math.min(Math.max(millis, 1), MAX_CLAIM_BACKOFF.toMillis()));
    }

    private void run(Job job) {
        AtomicBoolean done = new AtomicBoolean();
        jobThreads.add(Thread.currentThread());
        Thread heartbeat = Thread.ofVirtual().start(() -> renewWhileRunning(job, done));
        try {
            handle(job);
        } catch (RuntimeException e) {
            // recording the outcome failed (the database is down): the lease runs out and the job runs again
            LOG.log(Level.WARNING, "job " + job.id() + " (" + job.kind() + "): recording its outcome failed; it runs"
                    + " again when its lease ends", e);
        } finally {
            done.set(true);
            heartbeat.interrupt();
            jobThreads.remove(Thread.currentThread());
            inFlight.decrementAndGet();
            wake();
        }
    }

    private volatile dev.clawless.core.common.Instruments instruments = dev.clawless.core.common.Instruments.NONE;

    /** Where job runs are counted and timed, each a span continuing the trace of the work that queued the job. */
    public void instruments(dev.clawless.core.common.Instruments instruments) {
        this.instruments = instruments;
    }

    private void handle(Job job) {
        long started = System.nanoTime();
        String outcome = "unrecorded"; // until the queue has recorded how it ended
        io.opentelemetry.api.trace.Span span = instruments.tracer().spanBuilder(job.kind())
                .setParent(dev.clawless.core.common.Tracing.parent(job.traceParent()))
                .setSpanKind(io.opentelemetry.api.trace.SpanKind.CONSUMER)
                .setAttribute("clawless.job.id", job.id()).setAttribute("clawless.job.attempt", job.attempts())
                .startSpan();
        try (io.opentelemetry.context.Scope scope = span.makeCurrent()) {
            JobHandler handler = handlers.get(job.kind());
            if (handler == null) {
                outcome = queue.fail(job, "no handler for job kind '" + job.kind() + "'") == JobStatus.DEAD ? "dead"
                        : "failed";
                return;
            }
            handler.handle(job);
            if (!queue.complete(job)) {
                LOG.warning(() -> "job " + job.id() + " finished after its lease was taken over");
            }
            outcome = "completed";
        } catch (RetryLater later) {
            if (abandoning) {
                outcome = "abandoned";
                return; // shutting down: the lease runs out and the job runs again elsewhere
            }
            if (later.countsAsAttempt()) {
                queue.retryLater(job, later.delay(), later.getMessage());
                outcome = "retry";
            } else {
                queue.postpone(job, later.delay(), later.getMessage());
                outcome = "postponed";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!abandoning) {
                queue.fail(job, "interrupted");
            }
            outcome = abandoning ? "abandoned" : "failed";
        } catch (Exception | Error e) {
            if (abandoning) {
                outcome = "abandoned";
                LOG.info(() -> "job " + job.id() + " (" + job.kind() + ") abandoned at shutdown; its lease runs out and"
                        + " it runs again");
                return;
            }
            JobStatus next = queue.fail(job, e.getClass().getSimpleName() + ": " + e.getMessage());
            outcome = next == JobStatus.DEAD ? "dead" : "failed";
            Level level = next == JobStatus.DEAD ? Level.SEVERE : Level.WARNING;
            LOG.log(level, "job " + job.id() + " (" + job.kind() + ") attempt " + job.attempts() + " failed; now "
                    + next.name().toLowerCase(), e);
        } finally {
            instruments.meters().job(job.kind(), outcome, Duration.ofNanos(System.nanoTime() - started));
            span.setAttribute("clawless.job.outcome", outcome);
            if (!outcome.equals("completed") && !outcome.equals("postponed")) {
                span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, outcome);
            }
            span.end();
        }
    }

    private void renewWhileRunning(Job job, AtomicBoolean done) {
        Duration every = queue.config().lease().dividedBy(3);
        while (!done.get()) {
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (!done.get() && !queue.renew(job)) {
                    LOG.warning(() -> "job " + job.id() + " lost its lease");
                    return;
                }
            } catch (RuntimeException e) {
                // the database is down: try again at the next beat; if the lease runs out meanwhile, the job's
                // outcome is fenced off and it runs again
                LOG.log(Level.FINE, "renewing the lease of job " + job.id() + " failed", e);
            }
        }
    }

    /** Stops claiming new jobs; running ones go on (see {@link #stop}). */
    public void stopClaiming() {
        if (running.compareAndSet(true, false)) {
            wake();
        }
    }

    /**
     * Stops claiming, then waits up to {@code grace} for running jobs and no longer. Jobs still running then are
     * abandoned: interrupted, and left as they are in the queue, so their leases run out and another node (or the
     * next start) runs them again — every job is idempotent, and a delivery in doubt is marked as such.
     */
    public void stop(Duration grace) {
        stopClaiming();
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            abandoning = true;
            LOG.warning(() -> inFlight.get() + " jobs still running after the shutdown grace of " + grace
                    + "; abandoned (they run again when their leases end)");
            jobThreads.forEach(Thread::interrupt);
        }
        Thread p = poller;
        if (p != null) {
            p.interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
