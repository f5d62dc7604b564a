package dev.clawless.core.jobs.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.JobStatus;
import dev.clawless.core.jobs.NewJob;
import dev.clawless.core.store.Database;

/**
 * JDBC access to {@code jobs}. Every change to a claimed job is fenced by its lease token, so a worker whose lease
 * ran out cannot complete or fail a job another worker has taken over.
 */
public final class JobStore {

    private static final String COLUMNS = "id, kind, tenant_id, queue_key, payload, status, attempts, max_attempts,"
            + " run_at, locked_by, last_error, trace_parent";

    /** Inserts a job unless one with its idempotency key exists; answers the job's id either way. */
    public long insert(DbExecute tx, NewJob job, int defaultMaxAttempts, Instant now) {
        long id = tx.createGet("SELECT nextval('jobs_id_seq')").execute()
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElseThrow();
        long inserted = tx.createInsert("INSERT INTO jobs (id, tenant_id, kind, queue_key, idempotency_key, payload,"
                        + " status, max_attempts, run_at, created_at, updated_at, trace_parent)"
                        + " VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(id, job.tenantId().orElse(null), job.kind(), job.queueKey().orElse(null),
                        job.idempotencyKey().orElse(null), job.payload(), job.maxAttempts().orElse(defaultMaxAttempts),
                        Database.timestamp(job.runAt().orElse(now)), Database.timestamp(now), Database.timestamp(now),
                        dev.clawless.core.common.Tracing.currentParent().orElse(null))
                .execute();
        if (inserted == 1) {
            return id;
        }
        return tx.createGet("SELECT id FROM jobs WHERE idempotency_key = ?").params(job.idempotencyKey().orElseThrow())
                .execute().map(r -> r.column(1).get(Long.class))
                .orElseThrow(() -> new IllegalStateException("a conflicting job is not visible"));
    }

    /**
     * Locks up to {@code max} claimable jobs, skipping jobs other workers have locked: first running jobs whose lease
     * has ended (their worker is presumed dead), then queued jobs that are due, oldest first. A job is claimable only
     * when no earlier job of its queue key is queued or running, so the jobs of one key run one at a time, in order.
     * Each part is its own statement: one condition per statement lets both engines walk {@code jobs_claim_idx} in id
     * order and stop at the limit, where an {@code OR} of the two made PostgreSQL walk every job ever done.
     */
    public List<Long> lockClaimable(DbExecute tx, int max, Instant now) {
        List<Long> ids = new ArrayList<>(lock(tx, "j.status = 'running' AND j.locked_until <= ?", max, now));
        if (ids.size() < max) {
            ids.addAll(lock(tx, "j.status = 'queued' AND j.run_at <= ?", max - ids.size(), now));
        }
        return ids;
    }

    private static List<Long> lock(DbExecute tx, String due, int max, Instant now) {
        return tx.createQuery("SELECT j.id FROM jobs j WHERE " + due
                        + " AND (j.queue_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs p WHERE p.queue_key = j.queue_key"
                        + " AND p.status IN ('queued', 'running') AND p.id < j.id))"
                        + " ORDER BY j.id LIMIT " + max + " FOR UPDATE SKIP LOCKED")
                .params(Database.timestamp(now))
                .execute().map(r -> r.column(1).get(Long.class)).toList();
    }

    /** Marks locked jobs running under one lease token, in one statement. */
    public void markRunning(DbExecute tx, List<Long> ids, String token, Instant until, Instant now) {
        List<Object> params = new ArrayList<>(List.of(token, Database.timestamp(until), Database.timestamp(now)));
        params.addAll(ids);
        tx.createUpdate("UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?,"
                        + " updated_at = ? WHERE id IN (" + placeholders(ids.size()) + ")")
                .params(params)
                .execute();
    }

    public boolean renew(DbExecute exec, long id, String token, Instant until, Instant now) {
        return exec.createUpdate("UPDATE jobs SET locked_until = ?, updated_at = ? WHERE id = ? AND locked_by = ?"
                        + " AND status = 'running'")
                .params(Database.timestamp(until), Database.timestamp(now), id, token)
                .execute() == 1;
    }

    public boolean complete(DbExecute exec, long id, String token, Instant now) {
        return exec.createUpdate("UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL,"
                        + " finished_at = ?, updated_at = ? WHERE id = ? AND locked_by = ? AND status = 'running'")
                .params(Database.timestamp(now), Database.timestamp(now), id, token)
                .execute() == 1;
    }

    /** Back to the queue for {@code runAt}, or dead when {@code dead}. */
    public boolean fail(DbExecute exec, long id, String token, boolean dead, Instant runAt, String error,
                        Instant now) {
        return exec.createUpdate("UPDATE jobs SET status = ?, run_at = ?, last_error = ?, locked_by = NULL,"
                        + " locked_until = NULL, finished_at = CAST(? AS TIMESTAMP WITH TIME ZONE), updated_at = ?"
                        + " WHERE id = ? AND locked_by = ? AND status = 'running'")
                .params(dead ? "dead" : "queued", Database.timestamp(runAt), error,
                        dead ? Database.timestamp(now) : null, Database.timestamp(now), id, token)
                .execute() == 1;
    }

    /** Back to the queue for {@code runAt} with the attempt this run took given back. */
    public boolean postpone(DbExecute exec, long id, String token, Instant runAt, String reason, Instant now) {
        return exec.createUpdate("UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_at = ?,"
                        + " last_error = ?, locked_by = NULL, locked_until = NULL, updated_at = ?"
                        + " WHERE id = ? AND locked_by = ? AND status = 'running'")
                .params(Database.timestamp(runAt), reason, Database.timestamp(now), id, token)
                .execute() == 1;
    }

    /**
     * A dead job queued again as new: no attempts used, due now, unlocked; false when it is not dead (any more), or
     * not the tenant's.
     */
    public boolean requeueDead(DbExecute tx, long id, String tenantId, Instant now) {
        return tx.createUpdate("UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, locked_by = NULL,"
                        + " locked_until = NULL, finished_at = NULL, updated_at = ? WHERE id = ? AND tenant_id = ?"
                        + " AND status = 'dead'")
                .params(Database.timestamp(now), Database.timestamp(now), id, tenantId)
                .execute() == 1;
    }

    /** The tenant's dead jobs, newest first, with when each died. */
    public List<JobQueue.DeadLetter> dead(DbExecute exec, String tenantId, int limit) {
        return exec.createQuery("SELECT " + COLUMNS + ", finished_at FROM jobs WHERE tenant_id = ? AND status = 'dead'"
                        + " ORDER BY id DESC LIMIT " + limit)
                .params(tenantId).execute()
                .map(r -> new JobQueue.DeadLetter(job(r), Database.instant(r.column(13))))
                .toList();
    }

    /** Jobs not done, counted by status and kind. */
    public List<Object[]> counts(DbExecute exec) {
        return exec.createQuery("SELECT status, kind, COUNT(*) FROM jobs WHERE status IN ('queued', 'running', 'dead')"
                        + " GROUP BY status, kind")
                .execute()
                .map(r -> new Object[] {r.column(1).get(String.class), r.column(2).get(String.class),
                        ((Number) r.column(3).get(Object.class)).longValue()})
                .toList();
    }

    /** Per kind, the queued jobs that are due and when the longest-waiting of them became due. */
    public List<Object[]> due(DbExecute exec, java.time.Instant now) {
        return exec.createQuery("SELECT kind, COUNT(*), MIN(run_at) FROM jobs WHERE status = 'queued' AND run_at <= ?"
                        + " GROUP BY kind")
                .params(dev.clawless.core.store.Database.timestamp(now))
                .execute()
                .map(r -> new Object[] {r.column(1).get(String.class), ((Number) r.column(2).get(Object.class))
                        .longValue(), dev.clawless.core.store.Database.instant(r.column(3)).orElse(now)})
                .toList();
    }

    public Optional<Job> find(DbExecute exec, long id) {
        return exec.createGet("SELECT " + COLUMNS + " FROM jobs WHERE id = ?").params(id).execute()
                .map(JobStore::job);
    }

    /** The jobs with these ids, in id order, in one statement. */
    public List<Job> findAll(DbExecute exec, List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return exec.createQuery("SELECT " + COLUMNS + " FROM jobs WHERE id IN (" + placeholders(ids.size())
                        + ") ORDER BY id")
                .params(new ArrayList<Object>(ids)).execute().map(JobStore::job).toList();
    }

    private static String placeholders(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    public List<Job> list(DbExecute exec, Optional<JobStatus> status, Optional<String> kind, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM jobs WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        status.ifPresent(s -> {
            sql.append(" AND status = ?");
            params.add(s.name().toLowerCase(Locale.ROOT));
        });
        kind.ifPresent(k -> {
            sql.append(" AND kind = ?");
            params.add(k);
        });
        sql.append(" ORDER BY id LIMIT ").append(limit);
        return exec.createQuery(sql.toString()).params(params).execute().map(JobStore::job).toList();
    }

    private static Job job(DbRow row) {
        return new Job(
                row.column(1).get(Long.class),
                row.column(2).get(String.class),
                Database.optionalString(row.column(3)),
                Database.optionalString(row.column(4)),
                row.column(5).get(String.class),
                JobStatus.valueOf(row.column(6).get(String.class).toUpperCase(Locale.ROOT)),
                ((Number) row.column(7).get(Object.class)).intValue(),
                ((Number) row.column(8).get(Object.class)).intValue(),
                Database.instant(row.column(9)).orElseThrow(),
                Database.optionalString(row.column(10)),
                Database.optionalString(row.column(11)),
                Database.optionalString(row.column(12)));
    }
}
