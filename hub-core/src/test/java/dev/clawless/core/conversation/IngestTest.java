package dev.clawless.core.conversation;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobConfig;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.store.TestDatabases.Engine;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ingest path against a real database, on each engine. */
class IngestTest {

    private final Clock clock = Clock.systemUTC();
    private Database database;
    private JobQueue jobs;
    private ConversationManagement conversations;
    private String tenant;

    private void open(Engine engine) {
        database = Database.open(TestDatabases.config(engine));
        jobs = new JobQueue(database, JobConfig.DEFAULT, clock);
        Ids ids = new Ids(clock);
        conversations = new ConversationManagement(database, jobs, clock, ids);
        tenant = TestTenants.create(database, clock, "Acme", new Quotas(1, 1, 1));
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private static InboundMessage msg(String externalId, String thread, String sender, String text) {
        return InboundMessage.text("telegram", "con_test", externalId, thread,
                new Participant(sender, Optional.of("Alice"), Optional.of("alice")), text, Instant.now());
    }

    private long count(String table) {
        return database.execute().query("SELECT COUNT(*) FROM " + table)
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aNewMessageIsStoredWithItsConversationContactAndTurnJob(Engine engine) throws Exception {
        open(engine);
        Ingested first = conversations.ingest(tenant, msg("m1", "chat-1", "u1", "Hello"));
        assertEquals(Ingested.Outcome.NEW, first.outcome());
        assertEquals(ConversationStatus.BOT, first.conversation().status());
        assertEquals("Hello", first.message().text());
        assertTrue(first.message().id().startsWith("msg_"));
        Job job = jobs.get(first.turnJobId().orElseThrow()).orElseThrow();
        assertEquals(TurnRequest.JOB_KIND, job.kind());
        assertEquals(Optional.of(first.conversation().id()), job.queueKey());
        assertEquals(first.message().id(), new ObjectMapper().readTree(job.payload()).get("message_id").asText());

        Ingested second = conversations.ingest(tenant, msg("m2", "chat-1", "u1", "Are you there?"));
        assertEquals(first.conversation().id(), second.conversation().id(), "same thread, same conversation");
        assertTrue(second.message().seq() > first.message().seq());
        assertEquals(List.of("Hello", "Are you there?"), conversations.messages(tenant, first.conversation().id(),
                PageRequest.first(10)).data().stream().map(Message::text).toList());
        assertEquals(1, count("contacts"));
        assertEquals(2, count("jobs"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aRepeatedDeliveryStoresNothingAgain(Engine engine) {
        open(engine);
        Ingested first = conversations.ingest(tenant, msg("m1", "chat-1", "u1", "Hello"));
        Ingested again = conversations.ingest(tenant, msg("m1", "chat-1", "u1", "Hello"));
        assertEquals(Ingested.Outcome.DUPLICATE, again.outcome());
        assertEquals(first.message().id(), again.message().id());
        assertEquals(Optional.empty(), again.turnJobId());
        assertEquals(1, count("messages"));
        assertEquals(1, count("jobs"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void concurrentDuplicateDeliveriesYieldOneMessageAndOneJob(Engine engine) throws Exception {
        open(engine);
        List<Ingested> results = race(16, i -> msg("dup-1", "chat-9", "u9", "Only once"));
        assertEquals(1, results.stream().filter(r -> r.outcome() == Ingested.Outcome.NEW).count(), results.toString());
        assertEquals(1, results.stream().map(r -> r.message().id()).distinct().count());
        assertEquals(1, count("messages"));
        assertEquals(1, count("jobs"));
        assertEquals(1, count("conversations"));
        assertEquals(1, count("contact_identities"));
        assertEquals(1, count("contacts"), "no orphan contacts from lost races");
        assertEquals(1, database.execute().query("SELECT COUNT(*) FROM conversation_events WHERE type = 'conversation.created'")
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).findFirst().orElseThrow(),
                "one conversation.created however many deliveries raced");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aBurstFromANewSenderMakesOneConversationAndOneContact(Engine engine) throws Exception {
        open(engine);
        List<Ingested> results = race(8, i -> msg("burst-" + i, "chat-b", "new-user", "message " + i));
        assertEquals(8, results.stream().filter(r -> r.outcome() == Ingested.Outcome.NEW).count());
        assertEquals(1, results.stream().map(r -> r.conversation().id()).distinct().count());
        assertEquals(1, count("conversations"));
        assertEquals(1, count("contacts"));
        assertEquals(8, count("jobs"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void whileAHumanHasTheConversationTheAssistantGetsNoTurnAndClosedConversationsReopen(Engine engine) {
        open(engine);
        Ingested first = conversations.ingest(tenant, msg("m1", "chat-h", "u1", "Hi"));
        conversations.setStatus(tenant, first.conversation().id(), ConversationStatus.HUMAN);
        Ingested during = conversations.ingest(tenant, msg("m2", "chat-h", "u1", "Hello human"));
        assertEquals(Optional.empty(), during.turnJobId());
        assertEquals(ConversationStatus.HUMAN, during.conversation().status());
        conversations.setStatus(tenant, first.conversation().id(), ConversationStatus.CLOSED);
        Ingested reopened = conversations.ingest(tenant, msg("m3", "chat-h", "u1", "One more thing"));
        assertEquals(ConversationStatus.BOT, reopened.conversation().status());
        assertTrue(reopened.turnJobId().isPresent());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anEditUpdatesTheStoredTextWithoutANewTurn(Engine engine) {
        open(engine);
        Ingested original = conversations.ingest(tenant, msg("m1", "chat-e", "u1", "Helo"));
        InboundMessage edit = new InboundMessage("telegram", "con_test", "m1", "chat-e", Participant.of("u1"),
                "Hello", List.of(), Instant.now(), ChatType.DIRECT, Optional.empty(), true, Map.of());
        Ingested edited = conversations.ingest(tenant, edit);
        assertEquals(Ingested.Outcome.EDITED, edited.outcome());
        assertEquals(original.message().id(), edited.message().id());
        assertEquals("Hello", edited.message().text());
        assertTrue(edited.message().edited());
        assertEquals(1, count("jobs"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aFailureBeforeCommitLeavesNeitherMessageNorJob(Engine engine) {
        open(engine);
        database.execute().dml("ALTER TABLE jobs RENAME TO jobs_unavailable");
        try {
            assertThrows(RuntimeException.class, () -> conversations.ingest(tenant, msg("m1", "chat-f", "u1", "Hi")));
        } finally {
            database.execute().dml("ALTER TABLE jobs_unavailable RENAME TO jobs");
        }
        assertEquals(0, count("messages"));
        assertEquals(0, count("conversations"));
        assertEquals(0, count("contacts"));
        Ingested retried = conversations.ingest(tenant, msg("m1", "chat-f", "u1", "Hi"));
        assertEquals(Ingested.Outcome.NEW, retried.outcome(), "the platform's retry is stored normally");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anotherTenantsConversationIsNotFound(Engine engine) {
        open(engine);
        Ingested in = conversations.ingest(tenant, msg("m1", "chat-x", "u1", "Hi"));
        assertThrows(ClawlessException.NotFound.class, () -> conversations.get("ten_other", in.conversation().id()));
        assertThrows(ClawlessException.NotFound.class, () -> conversations.messages("ten_other",
                in.conversation().id(), PageRequest.first(10)));
        assertThrows(ClawlessException.NotFound.class, () -> conversations.setStatus("ten_other",
                in.conversation().id(), ConversationStatus.HUMAN));
    }

    private List<Ingested> race(int threads, java.util.function.IntFunction<InboundMessage> message)
            throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Ingested>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                InboundMessage m = message.apply(i);
                Callable<Ingested> task = () -> {
                    start.await();
                    return conversations.ingest(tenant, m);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<Ingested> results = new ArrayList<>();
            for (Future<Ingested> f : futures) {
                results.add(f.get());
            }
            return results;
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aTurnRunAgainOnAStoredReplyWithoutItsDeliveryEnqueuesTheDelivery(Engine engine) throws Exception {
        open(engine);
        Ingested in = conversations.ingest(tenant, msg("m9", "chat-9", "u9", "Hello"));
        Message reply = conversations.recordReply(tenant, in.message(), "Hi!", java.util.Map.of());
        long deliveries = count("jobs WHERE kind = 'deliver'");
        assertEquals(reply.id(), conversations.recordReply(tenant, in.message(), "Hi again", java.util.Map.of()).id());
        assertEquals(deliveries, count("jobs WHERE kind = 'deliver'"), "a second run adds no second delivery");
        // a reply stored without its delivery job (as a crash test once left one): the next run adds it
        database.execute().createDelete("DELETE FROM jobs WHERE kind = 'deliver' AND payload LIKE ?")
                .params("%" + reply.id() + "%").execute();
        assertEquals(deliveries - 1, count("jobs WHERE kind = 'deliver'"));
        conversations.recordReply(tenant, in.message(), "Hi again", java.util.Map.of());
        assertEquals(deliveries, count("jobs WHERE kind = 'deliver'"));
    }
}
