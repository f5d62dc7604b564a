package dev.clawless.core.knowledge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.clawless.core.knowledge.internal.KnowledgeStore;
import dev.clawless.core.store.Database;

/**
 * Computes again, with this hub's model, every stored vector another model made: knowledge chunks from their text,
 * intent examples from their intent's examples. Vectors of two models are not comparable, so a hub whose model
 * changed (the float all-MiniLM-L6-v2 gave way to its quantized twin) would otherwise compare new questions with old
 * chunks. Run once at start, in the background; until it is done a tenant's search mixes the two models' vectors,
 * which for these two keep a cosine of 0.99 (docs/operations.md, "Upgrading: the embedding model").
 *
 * <p>Background work that stays in the background: one text at a time on this one thread (at most one core, never
 * the model's pool of one thread per core), and a tenant's knowledge version bumped once, after its last chunk, so
 * that every node rebuilds the tenant's index once rather than once per batch.
 *
 * <p>Idempotent and safe beside other nodes doing the same: a row is read with its text, embedded, and written only
 * while it still carries another model's vector; a document or intent replaced meanwhile has new rows, written by the
 * new model. Stopped between texts by {@link #close}; what is left is done at the next start.
 */
public final class Reembedding implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Reembedding.class.getName());
    static final int BATCH = 64;

    private final Database database;
    private final Embedder embedder;
    private final KnowledgeStore store = new KnowledgeStore();
    private volatile boolean stopping;
    private volatile Thread thread;

    public Reembedding(Database database, Embedder embedder) {
        this.database = database;
        this.embedder = embedder;
    }

    /** What a run wrote again: chunks and intent examples. */
    public record Result(int chunks, int examples) {
    }

    /** Re-embeds everything stored under another model (until {@link #close}); returns how much it wrote. */
    public Result run() {
        int chunks = 0;
        List<String> tenants = database.execute().createQuery("SELECT DISTINCT tenant_id FROM knowledge_chunks"
                        + " WHERE embedding_model IS NULL OR embedding_model <> ?")
                .params(embedder.model()).execute().map(r -> r.column(1).get(String.class)).toList();
        for (String tenant : tenants) {
            chunks += tenantChunks(tenant);
        }
        // one pass in id order: each batch starts after the last id of the one before, so a row that cannot be
        // written (replaced meanwhile, or an intent whose rows disagree with its examples) is not read again
        int examples = 0;
        String after = "";
        for (Batch b; !stopping && (b = intentBatch(after)).read() > 0; after = b.last()) {
            examples += b.written();
        }
        Result result = new Result(chunks, examples);
        if (chunks > 0 || examples > 0) {
            LOG.info(() -> "re-embedded with " + embedder.model() + ": " + result.chunks() + " knowledge chunks, "
                    + result.examples() + " intent examples" + (stopping ? " (stopped; the rest at the next start)"
                    : ""));
        }
        return result;
    }

    /** {@link #run} on a virtual thread; a failure is logged and left for the next start. */
    public void start() {
        thread = Thread.ofVirtual().name("reembedding").start(() -> {
            try {
                run();
            } catch (RuntimeException e) {
                if (!stopping) {
                    LOG.log(Level.WARNING, "re-embedding stopped; it resumes at the next start", e);
                }
            }
        });
    }

    /** Stops between two texts and waits up to {@code grace} for the thread to end. */
    public void stop(Duration grace) {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    private record Row(String id, String text) {
    }

    private record Batch(int read, int written, String last) {
    }

    private int tenantChunks(String tenant) {
        int written = 0;
        String after = "";
        while (!stopping) {
            List<Row> rows = database.execute().createQuery("SELECT id, text FROM knowledge_chunks WHERE tenant_id = ?"
                            + " AND id > ? AND (embedding_model IS NULL OR embedding_model <> ?) ORDER BY id LIMIT "
                            + BATCH)
                    .params(tenant, after, embedder.model()).execute()
                    .map(r -> new Row(r.column(1).get(String.class), r.column(2).get(String.class)))
                    .toList();
            if (rows.isEmpty()) {
                break;
            }
            List<float[]> vectors = embedEach(rows.stream().map(Row::text).toList());
            if (vectors == null) {
                break;
            }
            written += database.inTransaction(tx -> {
                int n = 0;
                for (int i = 0; i < rows.size(); i++) {
                    n += (int) tx.createUpdate("UPDATE knowledge_chunks SET embedding = ?, embedding_model = ?"
                                    + " WHERE id = ? AND (embedding_model IS NULL OR embedding_model <> ?)")
                            .params(Vectors.toBytes(vectors.get(i)), embedder.model(), rows.get(i).id(),
                                    embedder.model())
                            .execute();
                }
                return n;
            });
            after = rows.getLast().id();
        }
        if (written > 0) {
            // once per tenant: each bump makes every node rebuild the tenant's whole index
            database.inTransaction(tx -> {
                store.bumpVersion(tx, tenant);
                return null;
            });
        }
        return written;
    }

    private Batch intentBatch(String after) {
        Map<String, String> intents = new LinkedHashMap<>();
        database.execute().createQuery("SELECT i.id, i.examples FROM intents i WHERE i.id > ? AND EXISTS (SELECT 1"
                        + " FROM intent_examples e WHERE e.intent_id = i.id AND (e.embedding_model IS NULL"
                        + " OR e.embedding_model <> ?)) ORDER BY i.id LIMIT " + BATCH)
                .params(after, embedder.model()).execute()
                .forEach(r -> intents.put(r.column(1).get(String.class), r.column(2).get(String.class)));
        if (intents.isEmpty()) {
            return new Batch(0, 0, after);
        }
        int written = 0;
        for (Map.Entry<String, String> intent : intents.entrySet()) {
            List<String> examples;
            try {
                examples = IntentManagement.examples(intent.getValue());
            } catch (RuntimeException unreadable) {
                LOG.warning(() -> "intent " + intent.getKey() + " has unreadable examples; its vectors stay as they are");
                continue;
            }
            List<float[]> vectors = embedEach(examples);
            if (vectors == null) {
                break;
            }
            written += database.inTransaction(tx -> {
                int n = 0;
                for (int ordinal = 0; ordinal < vectors.size(); ordinal++) {
                    n += (int) tx.createUpdate("UPDATE intent_examples SET embedding = ?, embedding_model = ?"
                                    + " WHERE intent_id = ? AND ordinal = ?"
                                    + " AND (embedding_model IS NULL OR embedding_model <> ?)")
                            .params(Vectors.toBytes(vectors.get(ordinal)), embedder.model(), intent.getKey(), ordinal,
                                    embedder.model())
                            .execute();
                }
                return n;
            });
        }
        return new Batch(intents.size(), written, List.copyOf(intents.keySet()).getLast());
    }

    /** Each text on this thread, one at a time; null when stopped meanwhile. */
    private List<float[]> embedEach(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            if (stopping) {
                return null;
            }
            out.add(embedder.embed(text));
        }
        return out;
    }
}
