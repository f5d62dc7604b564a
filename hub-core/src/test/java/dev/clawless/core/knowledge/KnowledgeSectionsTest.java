package dev.clawless.core.knowledge;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestDatabases.Engine;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.tenant.Quotas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sections kept with chunks and hits, and documents replaced in place, on each engine with the real model. */
class KnowledgeSectionsTest {

    private static final Embedder EMBEDDER = new MiniLmEmbedder();

    private final Clock clock = Clock.systemUTC();
    private Database database;
    private KnowledgeManagement knowledge;
    private String tenant;
    private String other;

    private void open(Engine engine) {
        database = Database.open(TestDatabases.config(engine));
        knowledge = new KnowledgeManagement(database, EMBEDDER, new KnowledgeConfig(64 * 1024, 800), clock,
                new Ids(clock));
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
    void aFileReadIntoMarkdownIsFoundWithItsTitleSectionAndOrigin(Engine engine) {
        open(engine);
        NewDocument read = new DocumentReader(new KnowledgeConfig(64 * 1024, 800)).read(new DocumentReader.File(
                DocumentFixtures.docx("# Shipping", "We ship worldwide from Lisbon.", "## Returns",
                        "Send parcels back within 30 days for a refund."), Optional.of("policies.docx"),
                Optional.empty(), Optional.of("Store policies"), Optional.of("policies.docx")));
        KnowledgeDocument doc = knowledge.add(tenant, read);
        assertEquals(Optional.of("policies.docx"), doc.source());
        assertEquals("Store policies", knowledge.get(tenant, doc.id()).title());
        assertTrue(knowledge.get(tenant, doc.id()).mediaType().orElseThrow().contains("wordprocessingml"));
        List<KnowledgeChunk> chunks = knowledge.chunks(tenant, doc.id());
        assertEquals(List.of(Optional.of("Shipping"), Optional.of("Shipping > Returns")),
                chunks.stream().map(KnowledgeChunk::section).toList());
        KnowledgeHit hit = knowledge.search(tenant, "how long do I have to send something back", 1).get(0);
        assertEquals("Store policies", hit.documentTitle());
        assertEquals(Optional.of("Shipping > Returns"), hit.section());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void replacingADocumentKeepsItsIdAndReindexesIt(Engine engine) {
        open(engine);
        KnowledgeDocument doc = knowledge.add(tenant, NewDocument.text("Hours", DocumentFormat.MARKDOWN,
                "# Store\nWe open at 9am."));
        assertTrue(knowledge.search(tenant, "when do you open", 1).get(0).text().contains("9am"));
        KnowledgeDocument replaced = knowledge.replace(tenant, doc.id(), NewDocument.text("Opening hours",
                DocumentFormat.MARKDOWN, "# Store\nWe open at 10am.\n\n# Parking\nParking is free for customers."));
        assertEquals(doc.id(), replaced.id());
        assertEquals(doc.createdAt(), replaced.createdAt());
        assertEquals(2, replaced.chunkCount());
        assertEquals("Opening hours", knowledge.get(tenant, doc.id()).title());
        assertEquals(2, knowledge.chunks(tenant, doc.id()).size());
        KnowledgeHit hit = knowledge.search(tenant, "when do you open", 1).get(0);
        assertTrue(hit.text().contains("10am"), hit.text());
        assertEquals("Opening hours", hit.documentTitle());
        assertTrue(knowledge.search(tenant, "when do you open", 5).stream().noneMatch(h -> h.text().contains("9am")));
        assertEquals(404, assertThrows(ClawlessException.class, () -> knowledge.replace(other, doc.id(),
                NewDocument.text("x", DocumentFormat.TEXT, "y"))).status());
        ClawlessException invalid = assertThrows(ClawlessException.class, () -> knowledge.replace(tenant, doc.id(),
                NewDocument.text("Hours", DocumentFormat.TEXT, "   ")));
        assertEquals(400, invalid.status());
        assertTrue(knowledge.content(tenant, doc.id()).contains("10am"), "a refused replacement changes nothing");
    }
}
