package dev.clawless.core.knowledge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.clawless.core.knowledge.internal.KnowledgeStore;
import dev.clawless.core.store.Database;

/**
 * Computes again, with this hub's model, every stored vector another model made: knowledge chunks from their text,
 * intent examples from their intent's examples. Vectors of two models are not comparable, so a hub whose model
 * changed (the float all-MiniLM-L6-v2 gave way to its quantized twin) would otherwise compare new questions with old
 * chunks. Run once at start, in the background; until it is done a tenant's search mixes the two models' vectors,
 * which for these two keep a cosine of 0.99 (docs/operations.md, "Upgrading").
 *
 * <p>Idempotent and safe beside other nodes doing the same: a row is read with its text, embedded, and written only
 * while it still carries another model's vector; a document or intent replaced meanwhile has new rows, written by
 * the new model. Each batch bumps the tenant's knowledge version, so every node's index reloads.
 */
public final class Reembedding {

    private static final Logger LOG = Logger.getLogger(Reembedding.class.getName());
    static final int BATCH = 64;

    private final Database database;
    private final Embedder embedder;
    private final KnowledgeStore store = new KnowledgeStore();

    public Reembedding(Database database, Embedder embedder) {
        this.database = database;
        this.embedder = embedder;
    }

    /** What a run computed again. */
    public record Result(int chunks, int intents) {
    }

    /** Re-embeds everything stored under another model; returns how much it did. */
    public Result run() {
        // one pass in id order: each batch starts after the last id of the one before, so a row that cannot be
        // written (replaced meanwhile, or an intent whose rows disagree with its examples) is not read again
        int chunks = 0;
        String after = "";
        for (Batch b; (b = chunkBatch(after)).size() > 0; after = b.last()) {
            chunks += b.size();
        }
        int intents = 0;
        after = "";
        for (Batch b; (b = intentBatch(after)).size() > 0; after = b.last()) {
            intents += b.size();
        }
        Result result = new Result(chunks, intents);
        if (chunks > 0 || intents > 0) {
            LOG.info(() -> "re-embedded with " + embedder.model() + ": " + result.chunks() + " knowledge chunks, "
                    + result.intents() + " intents");
        }
        return result;
    }

    /** {@link #run} on a virtual thread; a failure is logged and left for the next start. */
    public void start() {
        Thread.ofVirtual().name("reembedding").start(() -> {
            try {
                run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "re-embedding stopped; it resumes at the next start", e);
            }
        });
    }

    private record Row(String id, String tenantId, String text) {
    }

    private record Batch(int size, String last) {
    }

    private Batch chunkBatch(String after) {
        List<Row> rows = database.execute().createQuery("SELECT id, tenant_id, text FROM knowledge_chunks"
                        + " WHERE id > ? AND (embedding_model IS NULL OR embedding_model <> ?) ORDER BY id LIMIT " + BATCH)
                .params(after, embedder.model()).execute()
                .map(r -> new Row(r.column(1).get(String.class), r.column(2).get(String.class),
                        r.column(3).get(String.class)))
                .toList();
        if (rows.isEmpty()) {
            return new Batch(0, after);
        }
        List<float[]> vectors = embedder.embed(rows.stream().map(Row::text).toList());
        database.inTransaction(tx -> {
            Set<String> tenants = new LinkedHashSet<>();
            for (int i = 0; i < rows.size(); i++) {
                long updated = tx.createUpdate("UPDATE knowledge_chunks SET embedding = ?, embedding_model = ?"
                                + " WHERE id = ? AND (embedding_model IS NULL OR embedding_model <> ?)")
                        .params(Vectors.toBytes(vectors.get(i)), embedder.model(), rows.get(i).id(),
                                embedder.model())
                        .execute();
                if (updated > 0) {
                    tenants.add(rows.get(i).tenantId());
                }
            }
            tenants.forEach(t -> store.bumpVersion(tx, t));
            return null;
        });
        return new Batch(rows.size(), rows.getLast().id());
    }

    private Batch intentBatch(String after) {
        Map<String, List<String>> intents = new LinkedHashMap<>();
        database.execute().createQuery("SELECT i.id, i.examples FROM intents i WHERE i.id > ? AND EXISTS (SELECT 1"
                        + " FROM intent_examples e WHERE e.intent_id = i.id AND (e.embedding_model IS NULL"
                        + " OR e.embedding_model <> ?)) ORDER BY i.id LIMIT " + BATCH)
                .params(after, embedder.model()).execute()
                .forEach(r -> intents.put(r.column(1).get(String.class),
                        IntentManagement.examples(r.column(2).get(String.class))));
        if (intents.isEmpty()) {
            return new Batch(0, after);
        }
        List<String> texts = new ArrayList<>();
        intents.values().forEach(texts::addAll);
        List<float[]> vectors = embedder.embed(texts);
        database.inTransaction(tx -> {
            int at = 0;
            for (Map.Entry<String, List<String>> intent : intents.entrySet()) {
                for (int ordinal = 0; ordinal < intent.getValue().size(); ordinal++) {
                    tx.createUpdate("UPDATE intent_examples SET embedding = ?, embedding_model = ?"
                                    + " WHERE intent_id = ? AND ordinal = ?")
                            .params(Vectors.toBytes(vectors.get(at++)), embedder.model(), intent.getKey(), ordinal)
                            .execute();
                }
            }
            return null;
        });
        return new Batch(intents.size(), List.copyOf(intents.keySet()).getLast());
    }
}
