package dev.clawless.core.assistant;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.Ids;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.conversation.Ingested;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.conversation.MessageRole;
import dev.clawless.core.conversation.TurnRequest;
import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobConfig;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.JobStatus;
import dev.clawless.core.jobs.JobWorker;
import dev.clawless.core.knowledge.FaqEntry;
import dev.clawless.core.knowledge.KnowledgeConfig;
import dev.clawless.core.knowledge.KnowledgeManagement;
import dev.clawless.core.knowledge.MiniLmEmbedder;
import dev.clawless.core.knowledge.NewDocument;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestDatabases.Engine;
import dev.clawless.core.tenant.NewTenant;
import dev.clawless.core.tenant.Plan;
import dev.clawless.core.tenant.QuotaOverrides;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.tenant.SettingsPatch;
import dev.clawless.core.tenant.TenantConfig;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.usage.InMemoryRateLimiter;
import dev.clawless.core.usage.Prices;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assistant turns as jobs: one reply per message, whatever happens to the workers. */
class TurnHandlerTest {

    private static final MiniLmEmbedder EMBEDDER = new MiniLmEmbedder();
    private static final JobConfig SHORT_LEASE = new JobConfig(4, Duration.ofSeconds(1), Duration.ofMillis(50), 5,
            Duration.ofMillis(100), Duration.ofSeconds(1));

    private final Clock clock = Clock.systemUTC();
    private Database database;
    private JobQueue jobs;
    private ConversationManagement conversations;
    private TurnHandler handler;
    private String tenant;
    private TenantManagement tenants;

    private void open(Engine engine) {
        database = Database.open(TestDatabases.config(engine));
        Ids ids = new Ids(clock);
        jobs = new JobQueue(database, SHORT_LEASE, clock);
        conversations = new ConversationManagement(database, jobs, clock, ids);
        TenantManagement tenants = new TenantManagement(database, new AuditLog(database, clock),
                new TenantConfig(Map.of("free", new Plan("free", new Quotas(-1, -1, -1)),
                        "tiny", new Plan("tiny", new Quotas(1, -1, -1))), "free", Duration.ofHours(1), 10), clock, ids);
        this.tenants = tenants;
        tenant = tenants.create(Actor.admin("t"), new NewTenant("Shop", Optional.empty(), QuotaOverrides.NONE,
                SettingsPatch.NONE)).id();
        KnowledgeManagement knowledge = new KnowledgeManagement(database, EMBEDDER, new KnowledgeConfig(65536, 800),
                clock, ids);
        knowledge.add(tenant, NewDocument.faq("FAQ", List.of(
                new FaqEntry("When will my order arrive?", "Orders arrive within 3-5 business days."))));
        handler = new TurnHandler(conversations, tenants,
                new AssistantRuntime(List.of(new RetrievalProvider(knowledge, RetrievalProvider.DEFAULT_MIN_RELEVANCE))), new TurnStreams(),
                new UsageMeter(database, Prices.parse(""), new InMemoryRateLimiter(), clock),
                new dev.clawless.core.tool.ToolRegistry(List.of()),
                new dev.clawless.core.tool.ToolRunner(database, Duration.ofSeconds(5), clock),
                new dev.clawless.core.tool.Approvals(database, jobs, new AuditLog(database, clock), clock, ids),
                dev.clawless.core.security.NetworkGuard.system(false), knowledge, jobs, TurnSettings.DEFAULT);
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private Ingested ask(String id, String text) {
        return conversations.ingest(tenant, InboundMessage.text("telegram", "con_t", id, "chat-1",
                Participant.of("u1"), text, java.time.Instant.now()));
    }

    private List<Message> replies(String conversationId) {
        return conversations.messages(tenant, conversationId, PageRequest.first(50)).data().stream()
                .filter(m -> m.role() == MessageRole.ASSISTANT).toList();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void runningATurnTwiceStoresOneReply(Engine engine) throws Exception {
        open(engine);
        Ingested in = ask("m1", "when does my parcel come?");
        Job job = jobs.get(in.turnJobId().orElseThrow()).orElseThrow();
        handler.handle(job);
        handler.handle(job);
        List<Message> replies = replies(in.conversation().id());
        assertEquals(1, replies.size());
        assertEquals("Orders arrive within 3-5 business days.", replies.get(0).text());
        assertEquals("retrieval", replies.get(0).metadata().get("provider"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aTurnWhoseWorkerDiedIsTakenOverAndStillRepliesOnce(Engine engine) throws Exception {
        open(engine);
        Ingested first = ask("m1", "when does my parcel come?");
        Ingested second = ask("m2", "and how long exactly?");
        // a worker claims the first turn, writes the reply, and dies before marking the job done
        Job claimed = jobs.claim("doomed-worker", 1).get(0);
        assertEquals(first.turnJobId().orElseThrow(), claimed.id());
        handler.handle(claimed);
        Thread.sleep(SHORT_LEASE.lease().toMillis() + 200);
        try (JobWorker worker = new JobWorker(jobs, Map.of(TurnRequest.JOB_KIND, handler), "rescuer")) {
            worker.start();
            long deadline = System.currentTimeMillis() + 20_000;
            while (jobs.list(Optional.of(JobStatus.DONE), Optional.empty(), 10).size() < 2
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
        }
        assertEquals(2, jobs.list(Optional.of(JobStatus.DONE), Optional.empty(), 10).size());
        assertEquals(2, replies(first.conversation().id()).size(), "one reply per message, none twice");
        assertTrue(conversations.replyTo(tenant, second.message().id()).isPresent());
        assertEquals(2, jobs.get(claimed.id()).orElseThrow().attempts(), "the dead worker's job was re-run");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void overItsMessageQuotaATenantGetsNoFurtherReplies(Engine engine) throws Exception {
        open(engine);
        tenants.update(Actor.admin("t"), tenant, new dev.clawless.core.tenant.TenantChange(Optional.empty(),
                Optional.of("tiny"), Optional.empty(), Optional.empty(), SettingsPatch.NONE));
        Ingested first = ask("m1", "when does my parcel come?");
        Ingested second = ask("m2", "when does my parcel come, really?");
        handler.handle(jobs.get(first.turnJobId().orElseThrow()).orElseThrow());
        handler.handle(jobs.get(second.turnJobId().orElseThrow()).orElseThrow());
        assertEquals(1, replies(first.conversation().id()).size(), "the quota of one message allowed one reply");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aLongConversationIsFoldedIntoASummaryWithItsVersionAndCursor(Engine engine) throws Exception {
        open(engine);
        Ingested last = null;
        for (int i = 0; i < 45; i++) {
            last = ask("m" + i, "message number " + i + " about my parcel");
        }
        handler.handle(jobs.get(last.turnJobId().orElseThrow()).orElseThrow());
        Job summary = jobs.list(Optional.empty(), Optional.of(TurnHandler.SUMMARY_JOB), 10).get(0);
        handler.handle(summary);
        handler.handle(summary);
        var c = conversations.get(tenant, last.conversation().id());
        assertEquals(1, c.summaryVersion(), "a re-run does not summarise again");
        assertTrue(c.summary().orElseThrow().contains("message number 0"), c.summary().orElseThrow());
        List<Message> all = conversations.messagesAfter(tenant, c.id(), 0, 100);
        assertEquals(all.get(all.size() - 11).seq(), c.messageCursor().orElseThrow(),
                "the last 10 messages stay out of the summary");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aConversationAHumanTookOverGetsNoReply(Engine engine) throws Exception {
        open(engine);
        Ingested in = ask("m1", "when does my parcel come?");
        conversations.setStatus(tenant, in.conversation().id(), ConversationStatus.HUMAN);
        handler.handle(jobs.get(in.turnJobId().orElseThrow()).orElseThrow());
        assertEquals(0, replies(in.conversation().id()).size());
    }
}
