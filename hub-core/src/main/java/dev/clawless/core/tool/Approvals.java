package dev.clawless.core.tool;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Cursors;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.NewJob;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.plugin.api.ToolCall;

/**
 * Approvals of tool calls that paused a turn. Deciding one (approve or deny) enqueues the job that resumes the turn,
 * in the same transaction, and is audited. Ids of another tenant's approvals are not found. Thread-safe.
 */
public final class Approvals {

    /** The job kind that resumes a paused turn. */
    public static final String RESUME_JOB = "assistant_resume";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, tenant_id, conversation_id, message_id, tool, call_id, arguments, status,"
            + " reason, decided_by, decided_at, created_at";

    private final Database database;
    private final JobQueue jobs;
    private final AuditLog audit;
    private final Clock clock;
    private final Ids ids;

    public Approvals(Database database, JobQueue jobs, AuditLog audit, Clock clock, Ids ids) {
        this.database = database;
        this.jobs = jobs;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
    }

    /** Pauses a turn on {@code call}; {@code state} is everything needed to resume it (JSON). */
    public Approval request(String tenantId, String conversationId, String messageId, ToolCall call, String state) {
        String id = ids.next("apr");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        database.execute().createInsert("INSERT INTO approvals (id, tenant_id, conversation_id, message_id, tool, call_id,"
                        + " arguments, state, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)")
                .params(id, tenantId, conversationId, messageId, call.name(), call.id(),
                        ToolRunner.redact(call.argumentsJson()), state, Database.timestamp(now))
                .execute();
        return get(tenantId, id);
    }

    public Approval get(String tenantId, String id) {
        return database.execute().createGet("SELECT " + COLUMNS + " FROM approvals WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(Approvals::approval)
                .orElseThrow(() -> new ClawlessException.NotFound("no approval " + id));
    }

    public Page<Approval> list(String tenantId, Optional<String> status, PageRequest page) {
        return list(tenantId, status, Optional.empty(), page);
    }

    /** The tenant's approvals, optionally of one status and one conversation, oldest first. */
    public Page<Approval> list(String tenantId, Optional<String> status, Optional<String> conversationId,
                               PageRequest page) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM approvals WHERE tenant_id = ?");
        List<Object> params = new ArrayList<>(List.of(tenantId));
        status.ifPresent(s -> {
            sql.append(" AND status = ?");
            params.add(s);
        });
        conversationId.ifPresent(c -> {
            sql.append(" AND conversation_id = ?");
            params.add(c);
        });
        page.cursor().ifPresent(c -> {
            sql.append(" AND id > ?");
            params.add(Cursors.decode(c));
        });
        sql.append(" ORDER BY id LIMIT ").append(page.limit() + 1);
        List<Approval> rows = database.execute().createQuery(sql.toString()).params(params).execute()
                .map(Approvals::approval).toList();
        return Page.of(rows, page.limit(), a -> Cursors.encode(a.id()));
    }

    /**
     * Approves or denies a pending call and enqueues the resumption of its turn.
     *
     * @throws ClawlessException.Conflict when it was already decided
     */
    public Approval decide(Actor actor, String tenantId, String id, boolean approve, Optional<String> reason) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        database.inTransaction(tx -> {
            long updated = tx.createUpdate("UPDATE approvals SET status = ?, reason = ?, decided_by = ?, decided_at = ?"
                            + " WHERE tenant_id = ? AND id = ? AND status = 'pending'")
                    .params(approve ? "approved" : "denied", reason.orElse(null), actor.id(), Database.timestamp(now),
                            tenantId, id)
                    .execute();
            if (updated == 0) {
                Approval existing = tx.createGet("SELECT " + COLUMNS + " FROM approvals WHERE tenant_id = ? AND id = ?")
                        .params(tenantId, id).execute().map(Approvals::approval)
                        .orElseThrow(() -> new ClawlessException.NotFound("no approval " + id));
                throw new ClawlessException.Conflict("the approval is already " + existing.status());
            }
            jobs.enqueue(tx, NewJob.of(RESUME_JOB, JSON.createObjectNode().put("tenant_id", tenantId)
                            .put("approval_id", id).toString())
                    .withTenant(tenantId)
                    .once(RESUME_JOB + ":" + id));
            audit.record(tx, actor, Optional.of(tenantId), approve ? "approval.approved" : "approval.denied",
                    Optional.of(id), reason.map(r -> Map.<String, Object>of("reason", r)).orElse(Map.of()));
            return null;
        });
        Approval decided = get(tenantId, id);
        decidedListener.accept(decided);
        return decided;
    }

    /** Called after a decision commits (the server publishes {@code approval.decided} on the conversation). */
    public void onDecided(java.util.function.Consumer<Approval> listener) {
        this.decidedListener = listener;
    }

    private volatile java.util.function.Consumer<Approval> decidedListener = a -> { };

    /** A logged tool call. */
    public record LoggedCall(long id, String tool, String arguments, String outcome, long durationMs,
                             Instant createdAt) {
    }

    /** The tool calls logged in a conversation, oldest first (arguments with secrets redacted). */
    public List<LoggedCall> toolCalls(String tenantId, String conversationId) {
        return database.execute().createQuery("SELECT id, tool, arguments, outcome, duration_ms, created_at FROM"
                        + " tool_calls WHERE tenant_id = ? AND conversation_id = ? ORDER BY id LIMIT 500")
                .params(tenantId, conversationId).execute()
                .map(r -> new LoggedCall(((Number) r.column(1).get(Object.class)).longValue(),
                        r.column(2).get(String.class), r.column(3).get(String.class), r.column(4).get(String.class),
                        ((Number) r.column(5).get(Object.class)).longValue(),
                        Database.instant(r.column(6)).orElseThrow()))
                .toList();
    }

    /** What the resumption needs: the saved state. */
    public String state(String tenantId, String id) {
        return database.execute().createGet("SELECT state FROM approvals WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(r -> r.column(1).get(String.class))
                .orElseThrow(() -> new ClawlessException.NotFound("no approval " + id));
    }

    /** The result of the approved call, once it ran (so a re-run resumption does not run it twice). */
    public Optional<String> result(String tenantId, String id) {
        return database.execute().createGet("SELECT result FROM approvals WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().flatMap(r -> Database.optionalString(r.column(1)));
    }

    public void recordResult(String tenantId, String id, String result) {
        database.execute().createUpdate("UPDATE approvals SET result = ? WHERE tenant_id = ? AND id = ? AND result IS NULL")
                .params(result, tenantId, id).execute();
    }

    private static Approval approval(DbRow r) {
        return new Approval(r.column(1).get(String.class), r.column(2).get(String.class), r.column(3).get(String.class),
                r.column(4).get(String.class), r.column(5).get(String.class), r.column(6).get(String.class),
                r.column(7).get(String.class), r.column(8).get(String.class), Database.optionalString(r.column(9)),
                Database.optionalString(r.column(10)), Database.instant(r.column(11)),
                Database.instant(r.column(12)).orElseThrow());
    }
}
