package dev.clawless.core.workspace;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clawless.core.common.Ids;
import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobConfig;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.JobStatus;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.tenant.NewTenant;
import dev.clawless.core.tenant.Plan;
import dev.clawless.core.tenant.QuotaOverrides;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.tenant.SettingsPatch;
import dev.clawless.core.tenant.TenantConfig;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.tenant.WorkspaceSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workspace commands as jobs, on a real database and a real sandboxed shell: a command runs once however often its
 * job is handed out, the turn's continuation is enqueued once with the outcome, and a command a dead node was
 * running is marked interrupted — never run a second time.
 */
class WorkspaceCommandsTest {

    @TempDir
    Path data;
    private final Clock clock = Clock.systemUTC();
    private Database database;
    private JobQueue jobs;
    private Workspaces workspaces;
    private WorkspaceCommands commands;
    private String tenant;
    private final List<String> heard = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void open() {
        WorkspacesTest.bubblewrap();
        database = Database.open(TestDatabases.config(TestDatabases.Engine.H2));
        Ids ids = new Ids(clock);
        jobs = new JobQueue(database, JobConfig.DEFAULT, clock);
        TenantManagement tenants = new TenantManagement(database, new AuditLog(database, clock),
                new TenantConfig(Map.of("free", new Plan("free", new Quotas(-1, -1, -1))), "free", Duration.ofHours(1),
                        10), clock, ids);
        tenant = tenants.create(Actor.admin("t"), new NewTenant("Shop", Optional.empty(), QuotaOverrides.NONE,
                SettingsPatch.NONE)).id();
        workspaces = new Workspaces(data.resolve("workspaces"), data.resolve("run"), new WorkspaceLimits(true,
                Path.of("/usr/bin/bwrap"), 256, 1, 64, 1L << 28, Duration.ofSeconds(20), 20_000,
                Duration.ofMinutes(30)), NetworkGuard.system(true), t -> new WorkspaceSettings(true, List.of()),
                (t, c, tool, detail, outcome) -> { });
        commands = new WorkspaceCommands(database, jobs, workspaces, clock, ids, "node-a", 4,
                (t, c) -> !c.equals("cnv_taken"));
        commands.listener(new WorkspaceCommands.Listener() {
            @Override
            public void started(WorkspaceCommands.Command command) {
                heard.add("started " + command.status());
            }

            @Override
            public void output(WorkspaceCommands.Command command, String line) {
                heard.add("line " + line);
            }

            @Override
            public void ended(WorkspaceCommands.Command command) {
                heard.add("ended " + command.status());
            }
        });
    }

    @AfterEach
    void close() {
        if (workspaces != null) {
            workspaces.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private List<Job> pending(String kind) {
        return jobs.list(Optional.of(JobStatus.QUEUED), Optional.of(kind), 100);
    }

    @Test
    void aCommandRunsOnceAndItsTurnContinuesOnce() throws Exception {
        WorkspaceCommands.Command c = commands.start(tenant, "cnv_1", "msg_1", "call_1",
                "{\"command\":\"echo one >> log.txt; cat log.txt\"}", "{}");
        assertEquals("queued", c.status());
        // the same call of a re-run turn is the same command, with one job
        assertEquals(c.id(), commands.start(tenant, "cnv_1", "msg_1", "call_1", "{\"command\":\"x\"}", "{}").id());
        List<Job> queued = pending(WorkspaceCommands.JOB);
        assertEquals(1, queued.size());
        commands.handle(queued.get(0));
        commands.handle(queued.get(0)); // handed out again (a lease lost): nothing runs twice
        WorkspaceCommands.Command done = commands.get(tenant, c.id());
        assertEquals("finished", done.status());
        assertEquals("exit 0\none", done.result());
        assertEquals(List.of("started running", "line one", "ended finished"), heard);
        assertEquals(1, pending(WorkspaceCommands.RESUME_JOB).size());
        assertEquals(List.of(c.id()), commands.list(tenant, "cnv_1", 10).stream().map(WorkspaceCommands.Command::id)
                .toList());
    }

    @Test
    void aCommandADeadNodeWasRunningIsMarkedInterruptedNotRunAgain() throws Exception {
        WorkspaceCommands.Command c = commands.start(tenant, "cnv_2", "msg_2", "call_1",
                "{\"command\":\"echo ran > ran.txt\"}", "{}");
        // what a node that died mid-command leaves: the row running, the job handed out again after its lease
        database.execute().createUpdate("UPDATE workspace_commands SET status = 'running' WHERE id = ?")
                .params(c.id()).execute();
        commands.handle(pending(WorkspaceCommands.JOB).get(0));
        WorkspaceCommands.Command after = commands.get(tenant, c.id());
        assertEquals("interrupted", after.status());
        assertTrue(after.result().startsWith("error: the hub stopped while the command ran"), after.result());
        assertTrue(!java.nio.file.Files.exists(workspaces.folder(tenant, "cnv_2").resolve("ran.txt")),
                "the command did not run a second time");
        assertEquals(1, pending(WorkspaceCommands.RESUME_JOB).size());
    }

    @Test
    void aCommandAnotherLiveNodeRunsWaitsAndOneOfADeadNodeIsInterrupted() throws Exception {
        WorkspaceCommands.Command c = commands.start(tenant, "cnv_4", "msg_4", "r1t0",
                "{\"command\":\"echo ran > ran.txt\"}", "{}");
        // node B runs it and beat a moment ago: this node's job (its lease lapsed there) waits, runs nothing
        database.execute().createUpdate("UPDATE workspace_commands SET status = 'running', node = 'node-b',"
                        + " heartbeat_at = ? WHERE id = ?")
                .params(Database.timestamp(java.time.Instant.now()), c.id()).execute();
        Job job = pending(WorkspaceCommands.JOB).get(0);
        dev.clawless.core.jobs.RetryLater later = org.junit.jupiter.api.Assertions.assertThrows(
                dev.clawless.core.jobs.RetryLater.class, () -> commands.handle(job));
        assertTrue(later.getMessage().contains("another node"), later.getMessage());
        assertEquals("running", commands.get(tenant, c.id()).status());
        // node B's last beat was two minutes ago: it died, and its shell with it
        database.execute().createUpdate("UPDATE workspace_commands SET heartbeat_at = ? WHERE id = ?")
                .params(Database.timestamp(java.time.Instant.now().minusSeconds(120)), c.id()).execute();
        commands.handle(job);
        assertEquals("interrupted", commands.get(tenant, c.id()).status());
        assertTrue(!java.nio.file.Files.exists(workspaces.folder(tenant, "cnv_4").resolve("ran.txt")));
    }

    @Test
    void aCommandOfAConversationAPersonTookOverIsNotRun() throws Exception {
        WorkspaceCommands.Command c = commands.start(tenant, "cnv_taken", "msg_5", "r1t0",
                "{\"command\":\"echo ran > ran.txt\"}", "{}");
        commands.handle(pending(WorkspaceCommands.JOB).get(0));
        WorkspaceCommands.Command after = commands.get(tenant, c.id());
        assertEquals("refused", after.status());
        assertTrue(after.result().contains("a person took over"), after.result());
        assertTrue(!java.nio.file.Files.exists(workspaces.folder(tenant, "cnv_taken").resolve("ran.txt")));
        assertEquals(1, pending(WorkspaceCommands.RESUME_JOB).size());
    }

    @Test
    void aToolCallInATurnDoesNotWaitForACommandRunningInTheShell() throws Exception {
        WorkspaceCommands.Command c = commands.start(tenant, "cnv_6", "msg_6", "r1t0",
                "{\"command\":\"sleep 3; echo slow\"}", "{}");
        Job job = pending(WorkspaceCommands.JOB).get(0);
        Thread running = Thread.ofVirtual().start(() -> {
            try {
                commands.handle(job);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long until = System.currentTimeMillis() + 10_000;
        while (!commands.get(tenant, c.id()).status().equals("running") && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
        Thread.sleep(300);
        dev.clawless.plugin.api.ToolResult read = workspaces.tools(tenant).stream()
                .filter(t -> t.spec().name().equals("workspace_list")).findFirst().orElseThrow()
                .invoke(new dev.clawless.plugin.api.ToolCall("c", "workspace_list", "{}"),
                        new dev.clawless.core.TestTurnContext(tenant, Optional.of("cnv_6"), Map.of()));
        // refused at once (it did not wait for the command: then it would have listed the folder)
        assertTrue(read.error() && read.content().contains("a command is running"), read.content());
        running.join();
        assertEquals("exit 0\nslow", commands.get(tenant, c.id()).result());
    }

    @Test
    void aCallWithoutACommandContinuesTheTurnWithTheError() {
        WorkspaceCommands.Command c = commands.start(tenant, "cnv_3", "msg_3", "call_1", "{}", "{}");
        assertEquals("refused", c.status());
        assertEquals("error: command is required", c.result());
        assertEquals(0, pending(WorkspaceCommands.JOB).size());
        assertEquals(1, pending(WorkspaceCommands.RESUME_JOB).size());
    }
}
