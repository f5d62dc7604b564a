package dev.clawless.core.tool;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.core.common.Ids;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.jobs.JobConfig;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.tenant.ApprovalPolicy;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.tool.internal.HandoffTool;
import dev.clawless.core.tool.internal.HttpRequestTool;
import dev.clawless.core.tool.internal.SessionsListTool;
import dev.clawless.core.tool.internal.SessionsSendTool;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in tools against a real database, through the runner that logs every call. */
class BuiltInToolsTest {

    private final Clock clock = Clock.systemUTC();
    private Database database;
    private ConversationManagement conversations;
    private ToolRunner runner;
    private String tenant;

    @BeforeEach
    void open() {
        database = Database.open(TestDatabases.h2());
        Ids ids = new Ids(clock);
        conversations = new ConversationManagement(database, new JobQueue(database, JobConfig.DEFAULT, clock), clock,
                ids);
        runner = new ToolRunner(database, Duration.ofSeconds(2), clock);
        tenant = TestTenants.create(database, clock, "T", new Quotas(-1, -1, -1));
    }

    @AfterEach
    void close() {
        database.close();
    }

    private TurnToolContext context(Optional<String> conversation) {
        return new TurnToolContext(tenant, conversation, NetworkGuard.system(false));
    }

    @Test
    void sessionsCanBeListedAndWrittenToButOnlyTheTenantsOwn() {
        String session = conversations.openSession(tenant, Optional.of("Billing bot"), Map.of()).id();
        ToolResult listed = runner.run(new SessionsListTool(conversations), new ToolCall("c1", "sessions_list", "{}"),
                context(Optional.empty()));
        assertTrue(listed.content().contains(session) && listed.content().contains("Billing bot"), listed.content());
        SessionsSendTool send = new SessionsSendTool(conversations);
        ToolResult sent = runner.run(send, new ToolCall("c2", "sessions_send", "{\"session_id\":\"" + session
                + "\",\"text\":\"Invoice 42 was refunded.\"}"), context(Optional.empty()));
        assertFalse(sent.error(), sent.content());
        assertEquals("Invoice 42 was refunded.", conversations.messages(tenant, session, PageRequest.first(5)).data()
                .get(0).text());
        ToolResult other = runner.run(send, new ToolCall("c3", "sessions_send",
                "{\"session_id\":\"cnv_00000000000000000000000000\",\"text\":\"x\"}"), context(Optional.empty()));
        assertTrue(other.error());
        assertTrue(ToolRegistry.needsApproval(send, new ToolCall("c", "sessions_send", "{}"), ApprovalPolicy.MUTATING));
    }

    @Test
    void handoffGivesTheConversationToAHuman() {
        String session = conversations.openSession(tenant, Optional.empty(), Map.of()).id();
        ToolResult r = runner.run(new HandoffTool(conversations), new ToolCall("c", "handoff_to_human",
                "{\"reason\":\"angry\"}"), context(Optional.of(session)));
        assertFalse(r.error());
        assertEquals(ConversationStatus.HUMAN, conversations.get(tenant, session).status());
    }

    @Test
    void httpRequestRefusesUrlsOutsideItsEndpointsAndInternalHostsWithoutSending() {
        HttpRequestTool http = new HttpRequestTool(List.of("https://api.example.com/v1/", "http://127.0.0.1:9/"));
        ToolResult outside = runner.run(http, new ToolCall("c", "http_request",
                "{\"method\":\"GET\",\"url\":\"https://evil.example/steal\"}"), context(Optional.empty()));
        assertTrue(outside.error() && outside.content().contains("not one of the configured endpoints"));
        ToolResult traversal = runner.run(http, new ToolCall("c", "http_request",
                "{\"method\":\"GET\",\"url\":\"https://api.example.com/v1/../admin\"}"), context(Optional.empty()));
        assertTrue(traversal.error(), traversal.content());
        ToolResult internal = runner.run(http, new ToolCall("c", "http_request",
                "{\"method\":\"GET\",\"url\":\"http://127.0.0.1:9/x\",\"token\":\"s3cret\"}"), context(Optional.empty()));
        assertTrue(internal.error() && internal.content().startsWith("refused"), internal.content());
        String logged = database.execute().query("SELECT arguments FROM tool_calls ORDER BY id DESC")
                .map(r -> r.column(1).get(String.class)).findFirst().orElseThrow();
        assertFalse(logged.contains("s3cret"), "secrets are redacted in the tool log: " + logged);
        assertTrue(HttpRequestTool.isMutating(new ToolCall("c", "http_request", "{\"method\":\"POST\"}")));
        assertFalse(HttpRequestTool.isMutating(new ToolCall("c", "http_request", "{\"method\":\"GET\"}")));
    }

    @Test
    void aToolThatHangsBecomesAnErrorResult() {
        ToolRunner quick = new ToolRunner(database, Duration.ofMillis(200), clock);
        dev.clawless.plugin.api.ToolExtension slow = new dev.clawless.plugin.api.ToolExtension() {
            @Override
            public dev.clawless.plugin.api.ToolSpec spec() {
                return new dev.clawless.plugin.api.ToolSpec("slow_tool", "sleeps", "{}", false);
            }

            @Override
            public ToolResult invoke(ToolCall call, dev.clawless.plugin.api.ToolContext context) {
                long end = System.nanoTime() + 5_000_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait(); // ignores interruption on purpose
                }
                return ToolResult.ok("late");
            }
        };
        long start = System.nanoTime();
        ToolResult r = quick.run(slow, new ToolCall("c", "slow_tool", "{}"), context(Optional.empty()));
        assertTrue(r.error() && r.content().contains("did not finish"), r.content());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 3_000, "the turn did not wait for the tool");
    }
}
