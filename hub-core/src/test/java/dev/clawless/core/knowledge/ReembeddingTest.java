package dev.clawless.core.knowledge;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.Ids;
import dev.clawless.core.knowledge.internal.KnowledgeStore;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestDatabases.Engine;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.tenant.Quotas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vectors stored by another model (or before the model was recorded) are computed again with the hub's own, on each
 * engine, with the real model.
 */
class ReembeddingTest {

    private static final Embedder MINILM = new MiniLmEmbedder();
    /** Another model: the same vectors with their dimensions reversed, so they answer nothing like MiniLM's. */
    private static final Embedder OTHER = new Embedder() {
        @Override
        public String model() {
            return "other-model";
        }

        @Override
        public int dimension() {
            return MINILM.dimension();
        }

        @Override
        public List<float[]> embed(List<String> texts) {
            return MINILM.embed(texts).stream().map(v -> {
                float[] r = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    r[i] = v[v.length - 1 - i];
                }
                return r;
            }).toList();
        }
    };

    private final Clock clock = Clock.systemUTC();
    private Database database;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void vectorsOfAnotherModelAreComputedAgainOnceAndEveryNodeSeesThem(Engine engine) {
        database = Database.open(TestDatabases.config(engine));
        Ids ids = new Ids(clock);
        String tenant = TestTenants.create(database, clock, "Shop", new Quotas(-1, -1, -1));
        // what a hub with the other model stored
        new KnowledgeManagement(database, OTHER, new KnowledgeConfig(64 * 1024, 800), clock, ids).add(tenant,
                NewDocument.faq("FAQ", List.of(
                        new FaqEntry("When will my order arrive?", "Orders arrive within 3-5 business days."),
                        new FaqEntry("Can I pay with PayPal?", "Yes, PayPal and all major cards."))));
        new IntentManagement(database, OTHER, 0.5, clock, ids).define(tenant, "purchase",
                List.of("I want to buy this", "how much does the premium plan cost"), Optional.of("sales"));
        // and a chunk written before the model was recorded at all
        database.execute().createUpdate("UPDATE knowledge_chunks SET embedding_model = NULL WHERE text LIKE ?")
                .params("%PayPal%").execute();
        IntentManagement intents = new IntentManagement(database, MINILM, 0.5, clock, ids);
        assertEquals(Optional.empty(), intents.detect(tenant, "I would like to purchase the pro plan"),
                "the other model's vectors do not match this model's question");
        long version = new KnowledgeStore().version(database.execute(), tenant);
        Reembedding stopped = new Reembedding(database, MINILM);
        stopped.close();
        assertEquals(new Reembedding.Result(0, 0), stopped.run(), "a stopped pass writes nothing");

        assertEquals(new Reembedding.Result(2, 2), new Reembedding(database, MINILM).run(), "two chunks, two examples");

        database.execute().createQuery("SELECT text, embedding, embedding_model FROM knowledge_chunks").execute()
                .forEach(r -> {
                    assertEquals(MiniLmEmbedder.MODEL, r.column(3).get(String.class));
                    assertArrayEquals(MINILM.embed(r.column(1).get(String.class)),
                            Vectors.fromBytes(r.column(2).get(byte[].class)), 1e-6f);
                });
        assertTrue(new KnowledgeStore().version(database.execute(), tenant) > version,
                "the knowledge version moved, so every node reloads its index");
        assertEquals(List.of(MiniLmEmbedder.MODEL), database.execute()
                .createQuery("SELECT DISTINCT embedding_model FROM intent_examples").execute()
                .map(r -> r.column(1).get(String.class)).toList());
        assertEquals("purchase", new IntentManagement(database, MINILM, 0.5, clock, ids)
                .detect(tenant, "I would like to purchase the pro plan").orElseThrow().name());

        assertEquals(new Reembedding.Result(0, 0), new Reembedding(database, MINILM).run(), "nothing left to do");
    }
}
