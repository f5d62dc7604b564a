package dev.clawless.core.knowledge;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.store.TestDatabases.Engine;
import dev.clawless.core.tenant.Quotas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Knowledge with the real in-process MiniLM model, against a real database on each engine. */
class KnowledgeTest {

    private static final Embedder EMBEDDER = new MiniLmEmbedder();
    private static final KnowledgeConfig CONFIG = new KnowledgeConfig(64 * 1024, 800);
    private static final List<FaqEntry> SHOP_FAQ = List.of(
            new FaqEntry("When will my order arrive?", "Orders arrive within 3-5 business days."),
            new FaqEntry("Can I return an item?", "Yes, you can return any item within 30 days for a full refund."),
            new FaqEntry("Which payment methods do you accept?", "We accept Visa, Mastercard and PayPal."),
            new FaqEntry("How do I reset my password?", "Use the 'Forgot password' link on the sign-in page."));

    private final Clock clock = Clock.systemUTC();
    private Database database;
    private KnowledgeManagement knowledge;
    private String tenant;
    private String other;

    private void open(Engine engine) {
        database = Database.open(TestDatabases.config(engine));
        Ids ids = new Ids(clock);
        knowledge = new KnowledgeManagement(database, EMBEDDER, CONFIG, clock, ids);
        tenant = TestTenants.create(database, clock, "Shop", new Quotas(1, 1, 1));
        other = TestTenants.create(database, clock, "Other", new Quotas(1, 1, 1));
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void questionsInOtherWordsFindTheRightFaqEntry(Engine engine) {
        open(engine);
        KnowledgeDocument doc = knowledge.add(tenant, NewDocument.faq("Shop FAQ", SHOP_FAQ));
        assertEquals(4, doc.chunkCount());
        Map<String, String> expectations = Map.of(
                "how long does delivery take", "When will my order arrive?",
                "I want my money back for a product", "Can I return an item?",
                "do you take credit cards", "Which payment methods do you accept?",
                "I forgot my login", "How do I reset my password?");
        expectations.forEach((query, question) -> {
            List<KnowledgeHit> hits = knowledge.search(tenant, query, 2);
            assertEquals(question, hits.get(0).text(), query + " -> " + hits);
            assertTrue(hits.get(0).score() > hits.get(1).score());
            assertTrue(hits.get(0).answer().isPresent());
        });
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void markdownIsSearchableAndDeletingADocumentRemovesItsChunks(Engine engine) {
        open(engine);
        KnowledgeDocument doc = knowledge.add(tenant, NewDocument.text("Opening hours", DocumentFormat.MARKDOWN,
                "# Store\nOur store opens at 9am and closes at 6pm, Monday to Saturday.\n\n# Parking\n"
                        + "Free parking is available behind the building."));
        assertEquals(2, doc.chunkCount());
        assertTrue(knowledge.search(tenant, "when are you open", 1).get(0).text().contains("9am"));
        assertEquals(List.of(doc.id()), knowledge.list(tenant, PageRequest.first(10)).data().stream()
                .map(KnowledgeDocument::id).toList());
        knowledge.delete(tenant, doc.id());
        assertEquals(List.of(), knowledge.search(tenant, "when are you open", 3));
        assertThrows(ClawlessException.NotFound.class, () -> knowledge.get(tenant, doc.id()));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void oneTenantNeverFindsAnothersKnowledge(Engine engine) {
        open(engine);
        KnowledgeDocument doc = knowledge.add(tenant, NewDocument.faq("Shop FAQ", SHOP_FAQ));
        assertEquals(List.of(), knowledge.search(other, "how long does delivery take", 5));
        assertThrows(ClawlessException.NotFound.class, () -> knowledge.get(other, doc.id()));
        assertThrows(ClawlessException.NotFound.class, () -> knowledge.delete(other, doc.id()));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aDocumentAddedOnOneNodeIsFoundOnAnother(Engine engine) {
        open(engine);
        KnowledgeManagement otherNode = new KnowledgeManagement(database, EMBEDDER, CONFIG, clock, new Ids(clock));
        assertEquals(List.of(), otherNode.search(tenant, "returns", 1), "the other node caches an empty index");
        knowledge.add(tenant, NewDocument.faq("Shop FAQ", SHOP_FAQ));
        assertEquals("Can I return an item?", otherNode.search(tenant, "return policy", 1).get(0).text());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void oversizedAndInvalidDocumentsAreRefused(Engine engine) {
        open(engine);
        assertThrows(ClawlessException.PayloadTooLarge.class, () -> knowledge.add(tenant,
                NewDocument.text("Big", DocumentFormat.TEXT, "a".repeat(64 * 1024 + 1))));
        assertThrows(ClawlessException.Validation.class, () -> knowledge.add(tenant,
                NewDocument.text(" ", DocumentFormat.TEXT, "   ")));
        assertThrows(ClawlessException.Validation.class, () -> knowledge.add(tenant,
                NewDocument.faq("Empty", List.of(new FaqEntry("q", " ")))));
        assertThrows(ClawlessException.Validation.class, () -> knowledge.search(tenant, "", 3));
        assertThrows(ClawlessException.Validation.class, () -> knowledge.search(tenant, "x", 0));
        assertEquals(0, knowledge.list(tenant, PageRequest.first(10)).data().size());
    }
}
