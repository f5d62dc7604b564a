package dev.clawless.core.knowledge;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationEvent;
import dev.clawless.core.conversation.Ingested;
import dev.clawless.core.conversation.IntentDetector.DetectedIntent;
import dev.clawless.core.jobs.JobConfig;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.store.TestDatabases.Engine;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Intents with the real embedding model, against a real database on each engine. */
class IntentTest {

    private static final Embedder EMBEDDER = new MiniLmEmbedder();

    private final Clock clock = Clock.systemUTC();
    private Database database;
    private IntentManagement intents;
    private ConversationManagement conversations;
    private String tenant;

    private void open(Engine engine) {
        database = Database.open(TestDatabases.config(engine));
        Ids ids = new Ids(clock);
        intents = new IntentManagement(database, EMBEDDER, 0.5, clock, ids);
        conversations = new ConversationManagement(database, new JobQueue(database, JobConfig.DEFAULT, clock), clock,
                ids, intents);
        tenant = TestTenants.create(database, clock, "Shop", new Quotas(-1, -1, -1));
        intents.define(tenant, "purchase", List.of("I want to buy this", "how much does the premium plan cost",
                "can I order one", "I'd like to upgrade my subscription"), Optional.of("sales"));
        intents.define(tenant, "support", List.of("it doesn't work", "I have a problem with my account",
                "the app keeps crashing"), Optional.empty());
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void messagesGetTheirClosestIntentAboveTheThreshold(Engine engine) {
        open(engine);
        DetectedIntent buy = intents.detect(tenant, "I would like to purchase the pro plan").orElseThrow();
        assertEquals("purchase", buy.name());
        assertEquals(Optional.of("sales"), buy.mode());
        assertEquals("support", intents.detect(tenant, "my app crashes when I open it").orElseThrow().name());
        assertEquals(Optional.empty(), intents.detect(tenant, "what is the capital of Mongolia"));
        assertEquals(Optional.empty(), intents.detect("ten_other", "I want to buy this"), "intents are per tenant");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void ingestStoresTheIntentSelectsItsModeAndPublishesAnEvent(Engine engine) {
        open(engine);
        Ingested in = conversations.ingest(tenant, InboundMessage.text("telegram", "con_1", "m1", "chat-1",
                Participant.of("u1"), "How much is the premium subscription?", Instant.now()));
        assertEquals(Optional.of("purchase"), in.message().intent());
        assertEquals("sales", in.message().metadata().get("mode"));
        List<ConversationEvent> events = conversations.events(tenant, in.conversation().id(), 0, 10);
        assertTrue(events.stream().anyMatch(e -> e.type().equals("intent.detected")
                && e.data().contains("\"intent\":\"purchase\"")), events.toString());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void redefiningAnIntentReplacesItAndBadDefinitionsAreRefused(Engine engine) {
        open(engine);
        intents.define(tenant, "purchase", List.of("take my money"), Optional.empty());
        assertEquals(2, intents.list(tenant).size());
        assertEquals(Optional.empty(), intents.list(tenant).stream().filter(i -> i.name().equals("purchase"))
                .findFirst().orElseThrow().mode());
        assertThrows(ClawlessException.Validation.class, () -> intents.define(tenant, "Bad Name", List.of("x"),
                Optional.empty()));
        assertThrows(ClawlessException.Validation.class, () -> intents.define(tenant, "empty", List.of(),
                Optional.empty()));
        String id = intents.list(tenant).get(0).id();
        assertThrows(ClawlessException.NotFound.class, () -> intents.delete("ten_other", id));
        intents.delete(tenant, id);
        assertEquals(1, intents.list(tenant).size());
    }
}
