package dev.clawless.core.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import io.helidon.dbclient.DbExecute;

import dev.clawless.core.jobs.internal.JobStore;
import dev.clawless.core.store.Database;

/**
 * The durable job queue. Enqueue inside the transaction that makes the job necessary (a message and its turn commit
 * together); workers claim due jobs with a lease, so any number of nodes can share the queue. Thread-safe.
 */
public final class JobQueue {

    private static final int MAX_ERROR_LENGTH = 2000;
    private static final java.util.concurrent.atomic.AtomicLong CLAIMS = new java.util.concurrent.atomic.AtomicLong();

    private final Database database;
    private final JobConfig config;
    private final Clock clock;
    private final JobStore store = new JobStore();

    public JobQueue(Database database, JobConfig config, Clock clock) {
        this.database = database;
        this.config = config;
        this.clock = clock;
    }

    public JobConfig config() {
        return config;
    }

    /** Enqueues in the caller's transaction; answers the job id (the existing one for a known idempotency key). */
    public long enqueue(DbExecute tx, NewJob job) {
        return store.insert(tx, job, config.maxAttempts(), now());
    }

    /** Enqueues in a transaction of its own. */
    public long enqueue(NewJob job) {
        return database.inTransaction(tx -> enqueue(tx, job));
    }

    /**
     * Claims up to {@code max} due jobs for {@code worker}: each becomes {@link JobStatus#RUNNING} with a lease of
     * {@link JobConfig#lease()} and a lease token unique to this claim. Any number of workers and nodes may claim at
     * once: a job locked by one claim is skipped by the others ({@code FOR UPDATE SKIP LOCKED}), and a job waits while
     * an earlier job of its queue key is queued or running. Four statements whatever {@code max} is.
     */
    public List<Job> claim(String worker, int max) {
        if (max <= 0) {
            return List.of();
        }
        Instant now = now();
        // unique to this claim: a job claimed again after its lease ended gets another token, which fences off
        // whatever its first worker still does with it
        String token = worker + ":" + now.toEpochMilli() + ":" + CLAIMS.incrementAndGet();
        return database.inTransaction(tx -> {
            List<Long> ids = store.lockClaimable(tx, max, now);
            if (ids.isEmpty()) {
                return List.<Job>of();
            }
            store.markRunning(tx, ids, token, now.plus(config.lease()), now);
            return store.findAll(tx, ids);
        });
    }

    /** Extends a running job's lease; false when the lease was lost (another worker took the job over). */
    public boolean renew(Job job) {
        Instant now = now();
        return store.renew(database.execute(), job.id(), token(job), now.plus(config.lease()), now);
    }

    /** Marks a claimed job done; false when its lease was lost meanwhile. */
    public boolean complete(Job job) {
        return store.complete(database.execute(), job.id(), token(job), now());
    }

    /**
     * Records a failed attempt: the job runs again after an exponential backoff with jitter, or is dead-lettered when
     * it has used its attempts. The error text is kept (shortened); it must not contain secrets.
     */
    public JobStatus fail(Job job, String error) {
        boolean dead = job.attempts() >= job.maxAttempts();
        Instant now = now();
        store.fail(database.execute(), job.id(), token(job), dead, now.plus(backoff(job.attempts())), shorten(error),
                now);
        return dead ? JobStatus.DEAD : JobStatus.QUEUED;
    }

    /** Runs the job again after {@code delay}; dead-lettered instead when it has used its attempts. */
    public JobStatus retryLater(Job job, Duration delay, String reason) {
        boolean dead = job.attempts() >= job.maxAttempts();
        Instant now = now();
        store.fail(database.execute(), job.id(), token(job), dead, now.plus(delay), shorten(reason), now);
        return dead ? JobStatus.DEAD : JobStatus.QUEUED;
    }

    /** Runs the job again after {@code delay}, giving back the attempt this run took. */
    public void postpone(Job job, Duration delay, String reason) {
        Instant now = now();
        store.postpone(database.execute(), job.id(), token(job), now.plus(delay), shorten(reason), now);
    }

    public Optional<Job> get(long id) {
        return store.find(database.execute(), id);
    }

    /** A dead-lettered job and when it died. */
    public record DeadLetter(Job job, Optional<Instant> failedAt) {
    }

    /** The tenant's dead-lettered jobs, newest first, at most {@code limit}. */
    public List<DeadLetter> deadLetters(String tenantId, int limit) {
        return store.dead(database.execute(), tenantId, limit);
    }

    /**
     * Queues a dead job of the tenant again, in the caller's transaction, as if new: its attempts start over and it is
     * due now (its last error stays until it runs). False when the job is not dead or not the tenant's.
     */
    public boolean requeueDead(DbExecute tx, long id, String tenantId) {
        return store.requeueDead(tx, id, tenantId, now());
    }

    /** Jobs that are queued, running or dead, by status ({@code queued}, …) then kind. */
    public java.util.Map<String, java.util.Map<String, Long>> counts() {
        java.util.Map<String, java.util.Map<String, Long>> out = new java.util.TreeMap<>();
        for (String status : List.of("queued", "running", "dead")) {
            out.put(status, new java.util.TreeMap<>());
        }
        for (Object[] row : store.counts(database.execute())) {
            out.get((String) row[0]).put((String) row[1], (Long) row[2]);
        }
        return out;
    }

    /** Per kind, how long the job that has waited longest since it became due has waited (kinds with due jobs). */
    public java.util.Map<String, Duration> dueAge() {
        java.time.Instant now = now();
        java.util.Map<String, Duration> out = new java.util.TreeMap<>();
        for (Object[] row : store.due(database.execute(), now)) {
            Duration waited = Duration.between((java.time.Instant) row[2], now);
            out.put((String) row[0], waited.isNegative() ? Duration.ZERO : waited);
        }
        return out;
    }

    /** Jobs by status and kind, oldest first, for operators and tests. */
    public List<Job> list(Optional<JobStatus> status, Optional<String> kind, int limit) {
        return store.list(database.execute(), status, kind, limit);
    }

    /** The delay after attempt {@code attempt} failed: base × 2^(attempt−1), capped, then 50–100 % of that. */
    Duration backoff(int attempt) {
        long base = config.backoffBase().toMillis();
        long capped = Math.min(config.backoffMax().toMillis(), base << Math.min(Math.max(attempt - 1, 0), 30));
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        return Duration.ofMillis(jittered);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static String token(Job job) {
        return job.lockedBy().orElseThrow(() -> new IllegalStateException("job " + job.id() + " is not claimed"));
    }

    private static String shorten(String error) {
        String e = error == null ? "" : error;
        return e.length() <= MAX_ERROR_LENGTH ? e : e.substring(0, MAX_ERROR_LENGTH) + "…";
    }
}
