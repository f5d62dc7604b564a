package dev.clawless.core.workspace;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobHandler;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.NewJob;
import dev.clawless.core.jobs.RetryLater;
import dev.clawless.core.store.Database;
import dev.clawless.core.workspace.internal.ShellSession;
import dev.clawless.core.workspace.internal.WorkspaceTool;

/**
 * Workspace shell commands as jobs of their own. A turn whose model calls {@code workspace_shell} pauses: the command
 * is stored with the turn's state and a {@code workspace_command} job runs it, bounded only by the workspace's
 * command limit (not by the tool-call timeout, so a build or a test run may take hours). When it ends, its outcome
 * and the tail of its output are stored and a {@code workspace_resume} job, enqueued in the same transaction,
 * continues the turn with the result.
 *
 * <p>Commands of one conversation run one at a time, in order (one queue key). A node runs at most
 * {@code maxRunning} commands at once and a tenant at most half of them (at least one), so long builds never take
 * every job worker; a command over either limit waits (postponed, not failed). While it runs, the node beats on its
 * row every {@link #HEARTBEAT}; a job that finds its command running elsewhere with a fresh heartbeat (a lease lost
 * to a slow database, not a dead node) waits, and one whose heartbeat went stale is a re-run after the node died:
 * the shell went with it, so the command is marked {@code interrupted} and the turn continues with that, never with
 * the command run twice. A command whose conversation a person took over (or that is gone) does not run. Thread-safe.
 */
public final class WorkspaceCommands implements JobHandler {

    /** The job kind that runs a command. */
    public static final String JOB = "workspace_command";
    /** The job kind that continues the turn a command paused. */
    public static final String RESUME_JOB = "workspace_resume";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, tenant_id, conversation_id, message_id, call_id, command, status,"
            + " exit_code, output, reason, created_at, started_at, finished_at";

    /**
     * A stored command. {@code status}: queued, running, finished, killed (at a limit: time, disk, memory, or the
     * hub stopping), interrupted (its node died) or refused (not run: no command, or a person took over).
     */
    public record Command(String id, String tenantId, String conversationId, String messageId, String callId,
                          String command, String status, Optional<Integer> exitCode, String output,
                          Optional<String> reason, Instant createdAt, Optional<Instant> startedAt,
                          Optional<Instant> finishedAt) {

        /** True once it ran to its end (or was stopped). */
        public boolean done() {
            return !status.equals("queued") && !status.equals("running");
        }

        /** What the model is told. */
        public String result() {
            if (status.equals("finished")) {
                return "exit " + exitCode.orElse(-1) + "\n" + output;
            }
            return "error: " + reason.orElse(status) + (output.isEmpty() ? "" : "\n" + output);
        }
    }

    /** Told as commands start, print and end, for people watching the conversation; must not block. */
    public interface Listener {
        void started(Command command);

        void output(Command command, String line);

        void ended(Command command);
    }

    private final Database database;
    private final JobQueue jobs;
    private final Workspaces workspaces;
    private final Clock clock;
    private final Ids ids;
    /** How often a running command's node marks it alive. */
    static final java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(15);
    /** A running command whose heartbeat is older than this belongs to a node that died. */
    static final java.time.Duration STALE = java.time.Duration.ofSeconds(60);
    private final Set<String> runningHere = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.Semaphore slots;
    private final int perTenant;
    private final ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> tenants = new ConcurrentHashMap<>();
    private final String node;
    private final java.util.function.BiPredicate<String, String> assistantHolds;
    private volatile Listener listener = new Listener() {
        @Override
        public void started(Command command) {
        }

        @Override
        public void output(Command command, String line) {
        }

        @Override
        public void ended(Command command) {
        }
    };

    /**
     * @param node           this node's name (on the rows it runs)
     * @param maxRunning     commands this node runs at once
     * @param assistantHolds whether the assistant still answers a conversation (tenant, conversation): a command
     *                       of one a person took over, or that is gone, does not run
     */
    public WorkspaceCommands(Database database, JobQueue jobs, Workspaces workspaces, Clock clock, Ids ids,
                             String node, int maxRunning, java.util.function.BiPredicate<String, String> assistantHolds) {
        this.node = node;
        this.slots = new java.util.concurrent.Semaphore(Math.max(1, maxRunning));
        this.perTenant = Math.max(1, maxRunning / 2);
        this.assistantHolds = assistantHolds;
        this.database = database;
        this.jobs = jobs;
        this.workspaces = workspaces;
        this.clock = clock;
        this.ids = ids;
    }

    /** Where starts, output lines and ends go; set once while wiring. */
    public void listener(Listener listener) {
        this.listener = listener;
    }

    /** True for the calls that run as commands of their own rather than within the turn. */
    public static boolean runsAsJob(String toolName) {
        return toolName.equals(WorkspaceTool.SHELL);
    }

    /**
     * Stores the command a call asks for with the paused turn's {@code state} and enqueues its job, once: a second
     * request for the same call of the same message (a re-run turn) returns the first.
     */
    public Command start(String tenantId, String conversationId, String messageId, String callId,
                         String argumentsJson, String state) {
        String command = WorkspaceTool.command(argumentsJson);
        String id = ids.next("wsc");
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        try {
            database.inTransaction(tx -> {
                boolean blank = command.isBlank();
                tx.createInsert("INSERT INTO workspace_commands (id, tenant_id, conversation_id, message_id, call_id,"
                                + " command, state, status, reason, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?,"
                                + " ?, ?, ?, ?, ?)")
                        .params(id, tenantId, conversationId, messageId, callId, command, state,
                                blank ? "refused" : "queued", blank ? "command is required" : null,
                                Database.timestamp(now), blank ? Database.timestamp(now) : null)
                        .execute();
                if (blank) {
                    enqueueResume(tx, tenantId, id); // nothing to run: the turn continues at once with the error
                } else {
                    jobs.enqueue(tx, NewJob.of(JOB, payload(tenantId, id)).withTenant(tenantId)
                            .inQueue(JOB + ":" + tenantId + "/" + conversationId).once(JOB + ":" + id));
                }
                return null;
            });
        } catch (RuntimeException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
            return database.execute().createGet("SELECT " + COLUMNS + " FROM workspace_commands WHERE tenant_id = ?"
                            + " AND message_id = ? AND call_id = ?")
                    .params(tenantId, messageId, callId).execute().map(WorkspaceCommands::command).orElseThrow();
        }
        return get(tenantId, id);
    }

    @Override
    public void handle(Job job) throws Exception {
        JsonNode payload = JSON.readTree(job.payload());
        String tenantId = payload.path("tenant_id").asText();
        String id = payload.path("command_id").asText();
        Command c;
        try {
            c = get(tenantId, id);
        } catch (ClawlessException.NotFound gone) {
            return;
        }
        if (c.done()) {
            database.inTransaction(tx -> {
                enqueueResume(tx, tenantId, id);
                return null;
            });
            return;
        }
        if (c.status().equals("running")) {
            if (runningHere.contains(id)) {
                return; // a duplicate claim while it runs here: the run in progress finishes it
            }
            if (heartbeat(tenantId, id).map(h -> h.isAfter(clock.instant().minus(STALE))).orElse(false)) {
                // another node runs it and is alive (this job's lease lapsed there): look again later
                throw RetryLater.postpone("the command runs on another node", HEARTBEAT.multipliedBy(2));
            }
            end(c, "interrupted", Optional.empty(), "", Optional.of("the hub stopped while the command ran, and its"
                    + " shell with it; it did not finish (run it again if it is safe to)"));
            return;
        }
        if (!assistantHolds.test(tenantId, c.conversationId())) {
            end(c, "refused", Optional.empty(), "", Optional.of("not run: a person took over the conversation (or it is"
                    + " gone)"));
            return;
        }
        java.util.concurrent.atomic.AtomicInteger mine = tenants.computeIfAbsent(tenantId,
                k -> new java.util.concurrent.atomic.AtomicInteger());
        if (mine.incrementAndGet() > perTenant) {
            mine.decrementAndGet();
            throw RetryLater.postpone("the tenant runs " + perTenant + " workspace commands already",
                    java.time.Duration.ofSeconds(5));
        }
        if (!slots.tryAcquire()) {
            mine.decrementAndGet();
            throw RetryLater.postpone("this node runs its most workspace commands already",
                    java.time.Duration.ofSeconds(5));
        }
        try {
            run(c);
        } finally {
            slots.release();
            mine.decrementAndGet();
        }
    }

    private void run(Command c) {
        String tenantId = c.tenantId();
        String id = c.id();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        long claimed = database.execute().createUpdate("UPDATE workspace_commands SET status = 'running', started_at"
                        + " = ?, node = ?, heartbeat_at = ? WHERE tenant_id = ? AND id = ? AND status = 'queued'")
                .params(Database.timestamp(now), node, Database.timestamp(now), tenantId, id).execute();
        if (claimed == 0) {
            return;
        }
        runningHere.add(id);
        Thread beat = Thread.ofVirtual().name("clawless-workspace-heartbeat").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(HEARTBEAT.toMillis());
                    database.execute().createUpdate("UPDATE workspace_commands SET heartbeat_at = ? WHERE id = ? AND"
                                    + " status = 'running'")
                            .params(Database.timestamp(clock.instant().truncatedTo(ChronoUnit.MICROS)), id).execute();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // the database is away: the next beat tries again
                }
            }
        });
        try {
            Command running = get(tenantId, id);
            listener.started(running);
            ShellSession.Outcome o;
            try {
                o = workspaces.run(tenantId, c.conversationId(), WorkspaceTool.SHELL, c.command().length() > 2000
                        ? c.command().substring(0, 2000) + "…" : c.command(), c.command(),
                        line -> listener.output(running, line), true);
            } catch (RuntimeException e) {
                o = new ShellSession.Outcome(-1, "", false, Optional.of("the workspace could not run it: "
                        + e.getMessage()));
            }
            String printed = o.output().endsWith("\n") ? o.output().substring(0, o.output().length() - 1) : o.output();
            String output = WorkspaceTool.tail(printed, workspaces.limits().maxOutputChars());
            if (o.stoppedFor().isPresent()) {
                end(c, "killed", Optional.empty(), output, o.stoppedFor());
            } else {
                end(c, "finished", Optional.of(o.exitCode()), output, Optional.empty());
            }
        } finally {
            beat.interrupt();
            runningHere.remove(id);
        }
    }

    private Optional<Instant> heartbeat(String tenantId, String id) {
        return database.execute().createGet("SELECT heartbeat_at FROM workspace_commands WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().flatMap(r -> Database.instant(r.column(1)));
    }

    private void end(Command c, String status, Optional<Integer> exit, String output, Optional<String> reason) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        boolean ended = database.inTransaction(tx -> {
            long updated = tx.createUpdate("UPDATE workspace_commands SET status = ?, exit_code = ?, output = ?,"
                            + " reason = ?, finished_at = ? WHERE tenant_id = ? AND id = ? AND status IN ('queued',"
                            + " 'running')")
                    .params(status, exit.orElse(null), output, reason.orElse(null), Database.timestamp(now),
                            c.tenantId(), c.id())
                    .execute();
            if (updated > 0) {
                enqueueResume(tx, c.tenantId(), c.id());
            }
            return updated > 0;
        });
        if (ended) {
            listener.ended(get(c.tenantId(), c.id())); // once: a row another node already ended says nothing more
        }
    }

    private void enqueueResume(io.helidon.dbclient.DbExecute tx, String tenantId, String id) {
        jobs.enqueue(tx, NewJob.of(RESUME_JOB, payload(tenantId, id)).withTenant(tenantId).once(RESUME_JOB + ":" + id));
    }

    private static String payload(String tenantId, String id) {
        return JSON.createObjectNode().put("tenant_id", tenantId).put("command_id", id).toString();
    }

    /** A command of the tenant; another tenant's is not found. */
    public Command get(String tenantId, String id) {
        return database.execute().createGet("SELECT " + COLUMNS + " FROM workspace_commands WHERE tenant_id = ? AND"
                        + " id = ?")
                .params(tenantId, id).execute().map(WorkspaceCommands::command)
                .orElseThrow(() -> new ClawlessException.NotFound("no workspace command " + id));
    }

    /** The paused turn's state the command was started with. */
    public String state(String tenantId, String id) {
        return database.execute().createGet("SELECT state FROM workspace_commands WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute().map(r -> r.column(1).get(String.class))
                .orElseThrow(() -> new ClawlessException.NotFound("no workspace command " + id));
    }

    /** A conversation's commands, newest last (at most the latest {@code limit}). */
    public List<Command> list(String tenantId, String conversationId, int limit) {
        List<Command> newest = database.execute().createQuery("SELECT " + COLUMNS + " FROM workspace_commands WHERE"
                        + " tenant_id = ? AND conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT " + limit)
                .params(tenantId, conversationId).execute().map(WorkspaceCommands::command).toList();
        return newest.reversed();
    }

    private static Command command(DbRow r) {
        return new Command(r.column(1).get(String.class), r.column(2).get(String.class), r.column(3).get(String.class),
                r.column(4).get(String.class), r.column(5).get(String.class), r.column(6).get(String.class),
                r.column(7).get(String.class), Database.optionalLong(r.column(8)).map(Long::intValue),
                Database.optionalString(r.column(9)).orElse(""), Database.optionalString(r.column(10)),
                Database.instant(r.column(11)).orElseThrow(), Database.instant(r.column(12)),
                Database.instant(r.column(13)));
    }
}
