package dev.clawless.core.knowledge;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.Texts;
import dev.clawless.core.conversation.IntentDetector;
import dev.clawless.core.store.Database;

/**
 * A tenant's intents: defined from examples, embedded in-process, and detected in messages by the closest example
 * above a threshold. Each node caches a tenant's example vectors (also the fact that it has none): a change made on
 * this node evicts them at once; a change made on another node is seen when the entry is older than
 * {@link #CACHE_TTL} and the tenant's intents' version (a row count, newest definition and the examples embedded by
 * this model) differs. So detecting
 * costs no database round trip per message. Thread-safe.
 */
public final class IntentManagement implements IntentDetector {

    public static final int MAX_EXAMPLES = 200;
    public static final int MAX_INTENTS = 200;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,59}");
    private static final Pattern MODE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final Embedder embedder;
    private final double threshold;
    private final Clock clock;
    private final Ids ids;
    private final Map<String, Index> cache = new ConcurrentHashMap<>();

    private record Example(String intent, Optional<String> mode, float[] vector) {
    }

    private record Index(String version, List<Example> examples, long checkedAt) {
    }

    /** How long a cached index is used without asking the database whether the tenant's intents changed. */
    static final java.time.Duration CACHE_TTL = java.time.Duration.ofSeconds(5);
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    private void evict(String tenantId) {
        generation.incrementAndGet();
        cache.remove(tenantId);
    }

    public IntentManagement(Database database, Embedder embedder, double threshold, Clock clock, Ids ids) {
        this.database = database;
        this.embedder = embedder;
        this.threshold = threshold;
        this.clock = clock;
        this.ids = ids;
    }

    /**
     * Defines an intent, or replaces the examples and mode of the tenant's intent of that name.
     */
    public Intent define(String tenantId, String name, List<String> examples, Optional<String> mode) {
        List<FieldError> errors = new ArrayList<>();
        if (!NAME.matcher(name).matches()) {
            errors.add(new FieldError("name", "must be 1-60 of a-z, 0-9, '_', '.', '-', starting with a letter"));
        }
        if (examples.isEmpty() || examples.size() > MAX_EXAMPLES) {
            errors.add(new FieldError("examples", "must have 1-" + MAX_EXAMPLES + " examples"));
        }
        for (int i = 0; i < examples.size(); i++) {
            if (!Texts.hasContent(examples.get(i)) || examples.get(i).length() > 1000) {
                errors.add(new FieldError("examples[" + i + "]", "must be 1-1000 characters, not only invisible ones"));
            }
        }
        mode.filter(m -> !MODE.matcher(m).matches()).ifPresent(m ->
                errors.add(new FieldError("mode", "must be 1-40 of a-z, 0-9, '_' and '-'")));
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        List<float[]> vectors = embedder.embed(examples);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Intent intent = new Intent(ids.next("int"), tenantId, name, examples, mode, now);
        Intent defined = database.inTransaction(tx -> {
            tx.createDelete("DELETE FROM intents WHERE tenant_id = ? AND name = ?").params(tenantId, name).execute();
            long count = tx.createGet("SELECT COUNT(*) FROM intents WHERE tenant_id = ?").params(tenantId).execute()
                    .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
            if (count >= MAX_INTENTS) {
                throw new ClawlessException.Conflict("a tenant may define at most " + MAX_INTENTS + " intents");
            }
            tx.createInsert("INSERT INTO intents (id, tenant_id, name, mode, examples, created_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)")
                    .params(intent.id(), tenantId, name, mode.orElse(null), json(examples), Database.timestamp(now))
                    .execute();
            for (int i = 0; i < vectors.size(); i++) {
                tx.createInsert("INSERT INTO intent_examples (intent_id, tenant_id, ordinal, embedding, embedding_model)"
                                + " VALUES (?, ?, ?, ?, ?)")
                        .params(intent.id(), tenantId, i, Vectors.toBytes(vectors.get(i)), embedder.model())
                        .execute();
            }
            return intent;
        });
        evict(tenantId);
        return defined;
    }

    public List<Intent> list(String tenantId) {
        return database.execute().createQuery("SELECT id, tenant_id, name, examples, mode, created_at FROM intents"
                        + " WHERE tenant_id = ? ORDER BY name")
                .params(tenantId).execute()
                .map(r -> new Intent(r.column(1).get(String.class), r.column(2).get(String.class),
                        r.column(3).get(String.class), examples(r.column(4).get(String.class)),
                        Database.optionalString(r.column(5)), Database.instant(r.column(6)).orElseThrow()))
                .toList();
    }

    public void delete(String tenantId, String id) {
        long deleted = database.execute().createDelete("DELETE FROM intents WHERE tenant_id = ? AND id = ?")
                .params(tenantId, id).execute();
        evict(tenantId);
        if (deleted == 0) {
            throw new ClawlessException.NotFound("no intent " + id);
        }
    }

    @Override
    public Optional<DetectedIntent> detect(String tenantId, String text) {
        return best(tenantId, text).filter(b -> b.score() >= threshold).map(Scored::detected);
    }

    /** The intent whose example is closest to {@code text}, whatever its score (the console's test box). */
    public Optional<DetectedIntent> closest(String tenantId, String text) {
        return best(tenantId, text).map(Scored::detected);
    }

    private record Scored(Example example, double score) {
        DetectedIntent detected() {
            return new DetectedIntent(example.intent(), Math.round(score * 10_000) / 10_000.0, example.mode());
        }
    }

    private Optional<Scored> best(String tenantId, String text) {
        if (!Texts.hasContent(text)) {
            return Optional.empty();
        }
        List<Example> examples = index(tenantId);
        if (examples.isEmpty()) {
            return Optional.empty();
        }
        float[] v = embedder.embed(text.length() > 2000 ? text.substring(0, 2000) : text);
        Example best = null;
        double bestScore = -1;
        for (Example e : examples) {
            double s = Vectors.dot(v, e.vector());
            if (s > bestScore) {
                bestScore = s;
                best = e;
            }
        }
        return Optional.of(new Scored(best, bestScore));
    }

    /** The score an example must reach for {@link #detect} to name its intent. */
    public double threshold() {
        return threshold;
    }

    private List<Example> index(String tenantId) {
        long started = System.nanoTime();
        Index known = cache.get(tenantId);
        if (known != null && started - known.checkedAt() < CACHE_TTL.toNanos()) {
            return known.examples();
        }
        long gen = generation.get();
        // the examples embedded by this node's model count too: re-embedding after a model change (Reembedding) changes
        // no definition, and every node must load the new vectors
        String version = database.execute().createGet("SELECT COUNT(*), MAX(created_at), (SELECT COUNT(*) FROM"
                        + " intent_examples WHERE tenant_id = ? AND embedding_model = ?) FROM intents WHERE tenant_id = ?")
                .params(tenantId, embedder.model(), tenantId).execute()
                .map(r -> r.column(1).get(Object.class) + "@" + Database.instant(r.column(2)).map(Instant::toString)
                        .orElse("-") + "@" + r.column(3).get(Object.class))
                .orElse("0@-");
        if (known != null && known.version().equals(version)) {
            cache.replace(tenantId, known, new Index(version, known.examples(), started));
            return known.examples();
        }
        List<Example> examples = database.execute().createQuery("SELECT i.name, i.mode, e.embedding FROM intent_examples e"
                        + " JOIN intents i ON i.id = e.intent_id WHERE e.tenant_id = ?")
                .params(tenantId).execute()
                .map(r -> new Example(r.column(1).get(String.class), Database.optionalString(r.column(2)),
                        Vectors.fromBytes(r.column(3).get(byte[].class))))
                .toList();
        Index loaded = new Index(version, examples, started);
        cache.put(tenantId, loaded);
        if (generation.get() != gen) {
            cache.remove(tenantId, loaded); // a change on this node raced the read
        }
        return examples;
    }

    private static String json(List<String> examples) {
        try {
            return JSON.writeValueAsString(examples);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> examples(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("intents.examples is not JSON", e);
        }
    }
}
