package dev.clawless.core.channel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.dbclient.DbExecute;

import dev.clawless.core.assistant.TurnHandler;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.DeliveryRequest;
import dev.clawless.core.conversation.TurnRequest;
import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.JobStatus;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.core.tool.Approvals;

/**
 * How a connection is doing, for the people who set it up: when the platform last wrote and the hub last delivered,
 * the poller's error, the conversations still open, and the jobs of its conversations that gave up (dead letters),
 * which an admin may queue again. A job belongs to a connection through its conversation: turns and summaries are
 * queued per conversation, deliveries per {@code deliver:<conversation>}, a resumed turn names its approval.
 * Thread-safe.
 */
public final class ChannelHealth {

    /** Dead jobs of a tenant looked through for one connection's. */
    private static final int SCAN = 1000;
    /** Dead letters shown per connection. */
    private static final int SHOWN = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChannelManagement channels;
    private final JobQueue jobs;
    private final AuditLog audit;

    public ChannelHealth(ChannelManagement channels, JobQueue jobs, AuditLog audit) {
        this.channels = channels;
        this.jobs = jobs;
        this.audit = audit;
    }

    /**
     * A job of the connection's conversations that used its attempts.
     *
     * @param conversationId the conversation it worked for
     * @param error          its last error
     * @param failedAt       when it gave up
     */
    public record DeadLetter(long jobId, String kind, String conversationId, Optional<String> error, int attempts,
                             Optional<Instant> failedAt) {
    }

    /**
     * A connection's health.
     *
     * @param lastInboundAt     the newest inbound message's arrival
     * @param lastDeliveryAt    the creation of the newest outbound message that reached the platform (sent, delivered
     *                          or read)
     * @param openConversations conversations of the connection with the assistant or a person (not closed)
     * @param deadLetters       newest first, at most 50
     */
    public record Health(Channel channel, Optional<Instant> lastInboundAt, Optional<Instant> lastDeliveryAt,
                         Optional<String> pollError, long openConversations, List<DeadLetter> deadLetters) {

        public Health {
            deadLetters = List.copyOf(deadLetters);
        }
    }

    /** What a retry did: the job's status now ({@code queued}, or {@code running} when it was already retried). */
    public record Retried(long jobId, JobStatus status) {
    }

    /** @throws ClawlessException.NotFound for a connection that is not the tenant's */
    public Health health(String tenantId, String connectionId) {
        Channel channel = channels.get(tenantId, connectionId);
        DbExecute exec = channels.database().execute();
        Optional<Instant> lastIn = instant(exec, "SELECT MAX(created_at) FROM messages WHERE tenant_id = ?"
                + " AND connection_id = ? AND direction = 'inbound'", tenantId, connectionId);
        Optional<Instant> lastOut = instant(exec, "SELECT MAX(created_at) FROM messages WHERE tenant_id = ?"
                + " AND connection_id = ? AND direction = 'outbound' AND status IN ('sent', 'delivered', 'read')",
                tenantId, connectionId);
        long open = exec.createGet("SELECT COUNT(*) FROM conversations WHERE tenant_id = ? AND connection_id = ?"
                        + " AND status IN ('bot', 'human')").params(tenantId, connectionId).execute()
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
        List<DeadLetter> dead = new ArrayList<>();
        for (JobQueue.DeadLetter d : jobs.deadLetters(tenantId, SCAN)) {
            Optional<String> conversation = conversationOf(exec, tenantId, connectionId, d.job());
            if (conversation.isPresent() && dead.size() < SHOWN) {
                dead.add(new DeadLetter(d.job().id(), d.job().kind(), conversation.get(),
                        shownError(d.job().kind(), d.job().lastError()), d.job().attempts(), d.failedAt()));
            }
        }
        return new Health(channel, lastIn, lastOut, channel.pollError(), open, dead);
    }

    /**
     * What a tenant's admin may read of a job's error: a delivery's is the platform's own answer to the tenant's
     * credentials (kept, at most 500 characters); any other job's may name the hub's internals (an LLM provider's
     * address, a stack's message), so it is replaced by a sentence and left to the hub's log.
     */
    static Optional<String> shownError(String kind, Optional<String> error) {
        if (error.isEmpty()) {
            return error;
        }
        if (!kind.equals("deliver")) {
            return Optional.of("the assistant could not answer this message; the hub's log has the details");
        }
        String e = error.get();
        return Optional.of(e.length() > 500 ? e.substring(0, 500) + "…" : e);
    }

    /**
     * Queues a dead job of the connection again, with its attempts starting over, due now; a delivery's failed
     * message becomes pending again. Audited ({@code channel.dead_letter_retried}). Asking again while the job is
     * queued or running changes nothing and answers its status.
     *
     * @throws ClawlessException.NotFound when the job is not the connection's (or the tenant's), or has finished
     */
    public Retried retry(Actor actor, String tenantId, String connectionId, long jobId) {
        channels.get(tenantId, connectionId);
        ClawlessException.NotFound notFound = new ClawlessException.NotFound("no dead letter job_" + jobId
                + " on the connection " + connectionId);
        Database database = channels.database();
        Job job = jobs.get(jobId).filter(j -> j.tenantId().equals(Optional.of(tenantId)))
                .filter(j -> conversationOf(database.execute(), tenantId, connectionId, j).isPresent())
                .orElseThrow(() -> notFound);
        boolean requeued = database.inTransaction(tx -> {
            if (!jobs.requeueDead(tx, jobId, tenantId)) {
                return false;
            }
            if (job.kind().equals(DeliveryRequest.JOB_KIND)) {
                payload(job).map(p -> p.path("message_id").asText(null)).ifPresent(messageId ->
                        channels.conversations().deliveries().retryFailed(tx, tenantId, messageId));
            }
            audit.record(tx, actor, Optional.of(tenantId), "channel.dead_letter_retried", Optional.of(connectionId),
                    Map.of("job_id", "job_" + jobId, "kind", job.kind()));
            return true;
        });
        JobStatus now = jobs.get(jobId).map(Job::status).orElseThrow(() -> notFound);
        if (requeued) {
            channels.wake();
            return new Retried(jobId, JobStatus.QUEUED);
        }
        if (now == JobStatus.QUEUED || now == JobStatus.RUNNING) {
            return new Retried(jobId, now);
        }
        throw new ClawlessException.NotFound("job_" + jobId + " is not a dead letter (it is "
                + now.name().toLowerCase(java.util.Locale.ROOT) + ")");
    }

    /** The conversation of the connection a job works for, if it works for one. */
    private static Optional<String> conversationOf(DbExecute exec, String tenantId, String connectionId, Job job) {
        Optional<String> conversation = switch (job.kind()) {
            case TurnRequest.JOB_KIND -> job.queueKey();
            case DeliveryRequest.JOB_KIND, TurnHandler.SUMMARY_JOB -> job.queueKey()
                    .filter(k -> k.startsWith(job.kind() + ":")).map(k -> k.substring(job.kind().length() + 1));
            case Approvals.RESUME_JOB -> payload(job).map(p -> p.path("approval_id").asText(null))
                    .flatMap(approval -> exec.createGet("SELECT conversation_id FROM approvals WHERE id = ?"
                            + " AND tenant_id = ?").params(approval, tenantId).execute()
                            .map(r -> r.column(1).get(String.class)));
            default -> Optional.empty();
        };
        return conversation.filter(id -> exec.createGet("SELECT id FROM conversations WHERE id = ? AND tenant_id = ?"
                + " AND connection_id = ?").params(id, tenantId, connectionId).execute().isPresent());
    }

    private static Optional<JsonNode> payload(Job job) {
        try {
            return Optional.of(JSON.readTree(job.payload()));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> instant(DbExecute exec, String sql, Object... params) {
        return exec.createGet(sql).params(params).execute().flatMap(r -> Database.instant(r.column(1)));
    }
}
