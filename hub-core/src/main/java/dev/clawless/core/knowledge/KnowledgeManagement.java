package dev.clawless.core.knowledge;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.helidon.dbclient.DbExecute;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.Texts;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.knowledge.internal.Chunker;
import dev.clawless.core.knowledge.internal.HybridIndex;
import dev.clawless.core.knowledge.internal.KnowledgeStore;
import dev.clawless.core.knowledge.internal.KnowledgeStore.IndexedChunk;
import dev.clawless.core.knowledge.internal.TextAnalysis;
import dev.clawless.core.store.Database;

/**
 * A tenant's knowledge: documents are chunked and embedded when added, and searched by similarity. Each node keeps
 * an in-memory index per tenant and rebuilds it when the tenant's knowledge version in the database has moved, so
 * a document added on one node is found on all. Thread-safe.
 */
public final class KnowledgeManagement {

    public static final int MAX_K = 50;
    public static final int MAX_FAQ_ENTRIES = 5_000;
    public static final int MAX_QUERY_CHARS = 2_000;
    /** The least relevance of a passage given to an LLM as context: lower than an answer's, the model judges. */
    public static final double CONTEXT_MIN_RELEVANCE = 0.25;

    private final Database database;
    private final Embedder embedder;
    private final KnowledgeConfig config;
    private final Clock clock;
    private final Ids ids;
    private final KnowledgeStore store = new KnowledgeStore();
    private final Chunker chunker;
    private final Map<String, TenantIndex> indexes = new ConcurrentHashMap<>();
    private volatile Map<String, List<float[]>> background;
    private final Map<String, Object> building = new ConcurrentHashMap<>();

    private static final TextAnalysis ANALYSIS = new TextAnalysis();
    /**
     * The language profiles, read when a text's language is first needed (a search or a new document), not when the
     * hub starts; whoever comes first waits for them.
     */
    private static final class Languages {
        static final LanguageDetection DETECTION = new LanguageDetection();
    }

    private record TenantIndex(long version, HybridIndex index) {
    }

    /**
     * What a search found.
     *
     * @param hits          the most relevant chunks, best first
     * @param queryLanguage the query's language, when it could be told
     */
    public record Retrieved(List<KnowledgeHit> hits, Optional<String> queryLanguage) {
    }

    public KnowledgeManagement(Database database, Embedder embedder, KnowledgeConfig config, Clock clock, Ids ids) {
        this.database = database;
        this.embedder = embedder;
        this.config = config;
        this.clock = clock;
        this.ids = ids;
        this.chunker = new Chunker(config.maxChunkChars());
    }

    /**
     * Adds a document: validates it, cuts it into chunks, embeds them and stores all in one transaction.
     *
     * @throws ClawlessException.PayloadTooLarge when the content is over the configured size
     */
    public KnowledgeDocument add(String tenantId, NewDocument doc) {
        Prepared p = prepare(doc);
        KnowledgeDocument stored = new KnowledgeDocument(ids.next("doc"), tenantId, p.title(), doc.format(), p.size(),
                p.chunks().size(), clock.instant().truncatedTo(ChronoUnit.MICROS), doc.mediaType(), doc.source());
        database.inTransaction(tx -> {
            store.insertDocument(tx, stored, p.content());
            insertChunks(tx, stored, p);
            store.bumpVersion(tx, tenantId);
            return null;
        });
        return stored;
    }

    /**
     * Replaces a document's title and content, keeping its id: validated, chunked and embedded first, then the old
     * chunks give way to the new ones in one transaction, so a search sees either the old document or the new one.
     *
     * @throws ClawlessException.NotFound for another tenant's or an unknown document
     */
    public KnowledgeDocument replace(String tenantId, String documentId, NewDocument doc) {
        KnowledgeDocument old = get(tenantId, documentId);
        Prepared p = prepare(doc);
        KnowledgeDocument stored = new KnowledgeDocument(old.id(), tenantId, p.title(), doc.format(), p.size(),
                p.chunks().size(), old.createdAt(), doc.mediaType(), doc.source());
        database.inTransaction(tx -> {
            if (!store.updateDocument(tx, stored, p.content())) {
                throw new ClawlessException.NotFound("no document " + documentId);
            }
            store.deleteChunks(tx, tenantId, documentId);
            insertChunks(tx, stored, p);
            store.bumpVersion(tx, tenantId);
            return null;
        });
        return stored;
    }

    /** A document validated, cut and embedded, ready to store. */
    private record Prepared(String title, String content, long size, List<Chunker.Chunk> chunks,
                            List<float[]> vectors) {
    }

    private void insertChunks(DbExecute tx, KnowledgeDocument d, Prepared p) {
        for (int i = 0; i < p.chunks().size(); i++) {
            Chunker.Chunk c = p.chunks().get(i);
            store.insertChunk(tx, ids.next("chk"), d.tenantId(), d.id(), i, c.text(), c.answer(), c.section(),
                    p.vectors().get(i), embedder.model());
        }
    }

    /**
     * Checks a document as adding it would, without cutting or embedding it (a context pack checks every document
     * before it changes anything); answers the content as it would be stored.
     *
     * @throws ClawlessException.Validation      naming what is wrong
     * @throws ClawlessException.PayloadTooLarge when the content is over the configured size
     */
    public String check(NewDocument doc) {
        List<FieldError> errors = new ArrayList<>();
        String title = doc.title().strip();
        if (!Texts.hasContent(title) || title.length() > 300) {
            errors.add(new FieldError("title", "must be 1-300 characters, not only invisible ones"));
        }
        String content = doc.format() == DocumentFormat.FAQ ? faqJson(doc.faq()) : doc.content();
        long size = content.getBytes(StandardCharsets.UTF_8).length;
        if (size > config.maxDocumentBytes()) {
            throw new ClawlessException.PayloadTooLarge("the document is " + size + " bytes; at most "
                    + config.maxDocumentBytes() + " are accepted");
        }
        if (doc.format() == DocumentFormat.FAQ) {
            if (doc.faq().isEmpty() || doc.faq().size() > MAX_FAQ_ENTRIES) {
                errors.add(new FieldError("content", "must have 1-" + MAX_FAQ_ENTRIES + " entries"));
            }
            for (int i = 0; i < doc.faq().size(); i++) {
                if (!Texts.hasContent(doc.faq().get(i).question()) || !Texts.hasContent(doc.faq().get(i).answer())) {
                    errors.add(new FieldError("content[" + i + "]", "needs a q and an a with visible text"));
                }
            }
        } else if (!Texts.hasContent(doc.content())) {
            errors.add(new FieldError("content", "must have visible text"));
        }
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        return content;
    }

    private Prepared prepare(NewDocument doc) {
        String content = check(doc);
        String title = doc.title().strip();
        long size = content.getBytes(StandardCharsets.UTF_8).length;
        List<Chunker.Chunk> chunks = chunker.chunk(doc);
        List<float[]> vectors = embedder.embed(chunks.stream().map(Chunker.Chunk::text).toList());
        return new Prepared(title, content, size, chunks, vectors);
    }

    public KnowledgeDocument get(String tenantId, String documentId) {
        return store.find(database.execute(), tenantId, documentId)
                .orElseThrow(() -> new ClawlessException.NotFound("no document " + documentId));
    }

    public String content(String tenantId, String documentId) {
        return store.content(database.execute(), tenantId, documentId)
                .orElseThrow(() -> new ClawlessException.NotFound("no document " + documentId));
    }

    /** The chunks a document was cut into, in order (404 for another tenant's or an unknown document). */
    public List<KnowledgeChunk> chunks(String tenantId, String documentId) {
        get(tenantId, documentId);
        return store.documentChunks(database.execute(), tenantId, documentId);
    }

    public Page<KnowledgeDocument> list(String tenantId, PageRequest page) {
        return store.list(database.execute(), tenantId, page);
    }

    public void delete(String tenantId, String documentId) {
        database.inTransaction(tx -> {
            if (!store.deleteDocument(tx, tenantId, documentId)) {
                throw new ClawlessException.NotFound("no document " + documentId);
            }
            store.bumpVersion(tx, tenantId);
            return null;
        });
    }

    /** The {@code k} chunks most relevant to {@code query}, best first (see {@link #retrieve}). */
    public List<KnowledgeHit> search(String tenantId, String query, int k) {
        return retrieve(tenantId, query, k).hits();
    }

    /**
     * The {@code k} chunks most relevant to {@code query}, best first, by hybrid retrieval: lexical (Lucene BM25
     * over words analysed per language) fused with embedding similarity into a relevance from 0 to 1.
     */
    public Retrieved retrieve(String tenantId, String query, int k) {
        if (query.isBlank() || query.length() > MAX_QUERY_CHARS) {
            throw ClawlessException.Validation.of("query", "must be 1-" + MAX_QUERY_CHARS + " characters");
        }
        if (k < 1 || k > MAX_K) {
            throw ClawlessException.Validation.of("k", "must be between 1 and " + MAX_K);
        }
        Optional<String> language = Languages.DETECTION.detect(query);
        HybridIndex index = index(tenantId);
        if (index.isEmpty() || !Texts.hasContent(query)) {
            return new Retrieved(List.of(), language); // invisible characters only: nothing to be similar to
        }
        List<KnowledgeHit> hits = index.search(query, language, embedder.embed(query), k).stream()
                .map(KnowledgeManagement::hit)
                .toList();
        return new Retrieved(hits, language);
    }

    /**
     * The chunk that answers {@code query} when one reaches {@code minRelevance}: the best hit of {@link #retrieve},
     * or none when it falls short. The query is embedded only when its words leave the outcome open: the embedding
     * is at most {@code 1 - 0.85} of a relevance, so a question that shares too few words with every chunk is refused,
     * and one whose words make one chunk win whatever the similarities is answered, without it (same outcome as
     * {@link #retrieve}; the embedding is most of a search's cost). The hit's score is then the least its relevance
     * can be.
     */
    public Answer answer(String tenantId, String query, double minRelevance) {
        if (query.isBlank() || query.length() > MAX_QUERY_CHARS) {
            throw ClawlessException.Validation.of("query", "must be 1-" + MAX_QUERY_CHARS + " characters");
        }
        Optional<String> language = Languages.DETECTION.detect(query);
        HybridIndex index = index(tenantId);
        if (index.isEmpty() || !Texts.hasContent(query)) {
            return new Answer(Optional.empty(), language);
        }
        HybridIndex.Analysed analysed = index.analyse(query, language);
        Optional<HybridIndex.Scored> best = index.decide(analysed, minRelevance)
                .map(HybridIndex.Verdict::answer)
                .orElseGet(() -> index.search(analysed, embedder.embed(query), 1).stream().findFirst()
                        .filter(s -> s.relevance() >= minRelevance));
        return new Answer(best.map(KnowledgeManagement::hit), language);
    }

    /**
     * What {@link #answer} found.
     *
     * @param hit           the chunk that answers, when one is relevant enough
     * @param queryLanguage the query's language, when it could be told
     */
    public record Answer(Optional<KnowledgeHit> hit, Optional<String> queryLanguage) {
    }

    private static KnowledgeHit hit(HybridIndex.Scored s) {
        return new KnowledgeHit(s.chunk().documentId(), s.chunk().documentTitle(), s.chunk().id(), s.chunk().text(),
                s.chunk().answer(), s.relevance(), s.chunk().section());
    }

    private HybridIndex index(String tenantId) {
        long version = store.version(database.execute(), tenantId);
        TenantIndex cached = indexes.get(tenantId);
        if (cached != null && cached.version() == version) {
            return cached.index();
        }
        // one build per tenant at a time: concurrent searches after a change wait for it rather than each building
        synchronized (building.computeIfAbsent(tenantId, t -> new Object())) {
            cached = indexes.get(tenantId);
            if (cached != null && cached.version() >= version) {
                return cached.index();
            }
            long now = store.version(database.execute(), tenantId);
            List<IndexedChunk> chunks = store.chunks(database.execute(), tenantId);
            // an empty knowledge base needs no background: nothing to compare with, nothing to embed
            TenantIndex fresh = new TenantIndex(now, new HybridIndex(ANALYSIS, chunks, languages(chunks),
                    chunks.isEmpty() ? Map.of() : background()));
            indexes.put(tenantId, fresh);
            return fresh.index();
        }
    }

    /** The background sentences of each language, embedded once (by the first search that needs them). */
    private Map<String, List<float[]>> background() {
        Map<String, List<float[]>> b = background;
        if (b != null) {
            return b;
        }
        synchronized (this) {
            b = background;
            if (b != null) {
                return b;
            }
            Map<String, List<float[]>> embedded = new HashMap<>();
            for (String language : LanguageDetection.LANGUAGES) {
                embedded.put(language, embedder.embed(ANALYSIS.background(language)));
            }
            embedded.put(TextAnalysis.UNDETERMINED, embedded.get("en"));
            b = Map.copyOf(embedded);
            background = b;
        }
        return b;
    }

    /** Each chunk's language: its own when it can be told, else its document's, else undetermined. */
    private static Map<String, String> languages(List<IndexedChunk> chunks) {
        Map<String, StringBuilder> documents = new HashMap<>();
        for (IndexedChunk c : chunks) {
            StringBuilder text = documents.computeIfAbsent(c.documentId(), d -> new StringBuilder());
            if (text.length() < 2_000) {
                text.append(c.text()).append('\n').append(c.answer().orElse("")).append('\n');
            }
        }
        Map<String, String> byDocument = new HashMap<>();
        documents.forEach((id, text) -> byDocument.put(id,
                Languages.DETECTION.detect(text.toString()).orElse(TextAnalysis.UNDETERMINED)));
        Map<String, String> out = new HashMap<>();
        for (IndexedChunk c : chunks) {
            out.put(c.id(), Languages.DETECTION.detect(c.text() + "\n" + c.answer().orElse(""))
                    .orElse(byDocument.get(c.documentId())));
        }
        return out;
    }

    private static String faqJson(List<FaqEntry> entries) {
        ArrayNode array = new ObjectMapper().createArrayNode();
        entries.forEach(e -> array.addObject().put("q", e.question()).put("a", e.answer()));
        return array.toString();
    }
}
