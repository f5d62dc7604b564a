package dev.clawless.core.knowledge.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.lucene.analysis.core.WhitespaceAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SynonymQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

import dev.clawless.core.knowledge.Vectors;
import dev.clawless.core.knowledge.internal.KnowledgeStore.IndexedChunk;

/**
 * One tenant's knowledge, searchable two ways and fused into one calibrated relevance:
 * <ul>
 *   <li>lexical — a Lucene index (BM25) of each chunk's words as analysed in the chunk's own language
 *       ({@link TextAnalysis}); for an FAQ entry, its question is what is matched, its answer counts for little;</li>
 *   <li>semantic — cosine similarity of the chunk's embedding to the query's.</li>
 * </ul>
 * BM25 and cosine rank the candidates; the relevance that decides whether a candidate answers is the share of the
 * query's meaning (its words weighted by rarity, IDF) the candidate covers — and for an FAQ entry also the share of
 * the entry's question the query covers — fused with the cosine. Immutable once built, so thread-safe.
 */
public final class HybridIndex {

    private static final int CANDIDATES = 20;
    /** Chunks sharing a word with a question collected at most; with more, {@link #decide} leaves it undecided. */
    private static final int MATCHING = 200;
    private static final int MAX_CLAUSES = 256;
    /** Bounds closer than this to the threshold or to each other decide nothing (floating-point rounding). */
    private static final double MARGIN = 1e-9;
    private static final float ANSWER_BOOST = 0.3f;
    /** The weight of a capitalised name no chunk mentions, against an ordinary word's. */
    static final double NAME_WEIGHT = 0.3;

    /** A chunk as indexed: its language and the word forms that match it. */
    private record Entry(IndexedChunk chunk, String language, List<Set<String>> ownWords, Set<String> matchable,
                         Set<String> answerMatchable) {
    }

    /** What a candidate scored: its lexical coverage, its cosine, and the two fused. */
    public record Scored(IndexedChunk chunk, String language, double lexical, double semantic, double relevance) {
    }

    private final TextAnalysis analysis;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Map<String, Integer>> documentFrequency = new HashMap<>();
    private final Map<String, Integer> documentCount = new HashMap<>();
    private final IndexSearcher searcher;
    private final Map<String, List<float[]>> background;

    /**
     * @param languages  each chunk's language, by chunk id ({@link TextAnalysis#UNDETERMINED} when unknown)
     * @param background per language, embeddings of sentences on unrelated subjects ({@link TextAnalysis#background})
     */
    public HybridIndex(TextAnalysis analysis, List<IndexedChunk> chunks, Map<String, String> languages,
                       Map<String, List<float[]>> background) {
        this.analysis = analysis;
        this.background = background;
        ByteBuffersDirectory directory = new ByteBuffersDirectory();
        try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(new WhitespaceAnalyzer())
                .setSimilarity(new BM25Similarity()))) {
            for (int i = 0; i < chunks.size(); i++) {
                IndexedChunk c = chunks.get(i);
                String language = languages.getOrDefault(c.id(), TextAnalysis.UNDETERMINED);
                List<Set<String>> own = analysis.words(language, c.text()).stream().map(TextAnalysis.Word::forms)
                        .toList();
                Set<String> matchable = analysis.matchable(language, c.text());
                Set<String> answer = c.answer().map(a -> analysis.matchable(language, a)).orElse(Set.of());
                entries.add(new Entry(c, language, own, matchable, answer));
                Map<String, Integer> df = documentFrequency.computeIfAbsent(language, l -> new HashMap<>());
                matchable.forEach(f -> df.merge(f, 1, Integer::sum));
                documentCount.merge(language, 1, Integer::sum);
                Document doc = new Document();
                doc.add(new StoredField("ordinal", i));
                doc.add(new TextField(field(language), String.join(" ", matchable), Field.Store.NO));
                doc.add(new TextField(answerField(language), String.join(" ", answer), Field.Store.NO));
                writer.addDocument(doc);
            }
            writer.commit();
            searcher = new IndexSearcher(DirectoryReader.open(directory));
            searcher.setSimilarity(new BM25Similarity());
        } catch (IOException e) {
            throw new UncheckedIOException("an in-memory index cannot fail to write", e);
        }
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * The {@code k} most relevant chunks to the query, most relevant first.
     *
     * @param query         the question
     * @param queryLanguage the question's language when known; chunks in another language then rank lower
     * @param vector        the question's embedding
     */
    public List<Scored> search(String query, Optional<String> queryLanguage, float[] vector, int k) {
        return search(analyse(query, queryLanguage), vector, k);
    }

    /**
     * A question as the index reads it before its embedding is known: its words in each of the index's languages,
     * and the chunks that share a word with it.
     *
     * @param lexical  the ordinals of the chunks Lucene ranks first by BM25 (at most {@value #CANDIDATES})
     * @param matching the ordinals of every chunk that shares a word with the question, when all were collected
     */
    public record Analysed(Optional<String> language, Map<String, List<Set<String>>> words,
                           Map<String, Set<String>> names, List<Integer> lexical, Optional<List<Integer>> matching) {
    }

    /** Reads the question (see {@link Analysed}); what {@link #search} and {@link #decide} start from. */
    public Analysed analyse(String query, Optional<String> queryLanguage) {
        Map<String, List<Set<String>>> queryWords = new HashMap<>();
        for (String language : documentCount.keySet()) {
            queryWords.put(language, analysis.words(language, query).stream().map(TextAnalysis.Word::forms)
                    .toList());
        }
        Map<String, Set<String>> names = new HashMap<>();
        for (String language : documentCount.keySet()) {
            names.put(language, analysis.names(language, query));
        }
        List<Integer> matching = lexicalMatches(queryWords);
        boolean all = matching.size() < MATCHING && clauses(queryWords) <= MAX_CLAUSES;
        return new Analysed(queryLanguage, queryWords, names, matching.subList(0, Math.min(CANDIDATES,
                matching.size())), all ? Optional.of(matching) : Optional.empty());
    }

    /** The {@code k} most relevant chunks to an analysed question, most relevant first. */
    public List<Scored> search(Analysed q, float[] vector, int k) {
        Set<Integer> candidates = new HashSet<>(q.lexical());
        List<Integer> bySimilarity = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            bySimilarity.add(i);
        }
        double[] cosines = new double[entries.size()];
        Map<String, List<Double>> byLanguage = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            cosines[i] = Vectors.dot(vector, entries.get(i).chunk().vector());
            byLanguage.computeIfAbsent(entries.get(i).language(), l -> new ArrayList<>()).add(cosines[i]);
        }
        // what a chunk that does not answer typically scores: the median over the language's chunks and a background
        // of unrelated sentences (so a knowledge base of one entry still has something to stand out from)
        Map<String, Double> typical = new HashMap<>();
        byLanguage.forEach((language, values) -> {
            List<Double> all = new ArrayList<>(values);
            background.getOrDefault(language, background.getOrDefault("en", List.of()))
                    .forEach(b -> all.add(Vectors.dot(vector, b)));
            typical.put(language, median(all));
        });
        bySimilarity.sort(Comparator.comparingDouble((Integer i) -> cosines[i]).reversed());
        candidates.addAll(bySimilarity.subList(0, Math.min(CANDIDATES, bySimilarity.size())));
        List<Scored> scored = new ArrayList<>();
        for (int i : candidates) {
            Entry e = entries.get(i);
            double lexical = lexical(e, q);
            double relevance = Relevance.fuse(lexical, cosines[i], typical.get(e.language()))
                    * Relevance.languageFactor(q.language(), e.language());
            scored.add(new Scored(e.chunk(), e.language(), lexical, cosines[i], relevance));
        }
        // equal relevance (no word in common, both well above the typical chunk): the closer meaning first
        scored.sort(Comparator.comparingDouble(Scored::relevance).thenComparingDouble(Scored::semantic).reversed());
        return scored.subList(0, Math.min(k, scored.size()));
    }

    /**
     * What {@link #search} would answer at {@code threshold}, when the question's words alone decide it: the
     * embedding's share of a relevance is at most {@code 1 - }{@link Relevance#LEXICAL}, so a chunk's relevance lies
     * between its lexical share and that plus the embedding's whole share, and the bounds often settle the outcome
     * — no chunk can reach the threshold (refused), or one chunk that search would consider reaches it whatever its
     * similarity while no other can reach it (answered). Empty when only the embedding can tell; then
     * {@link #search} does. The best chunk's relevance is not known here; its lexical share, the least it can be, is.
     *
     * @return empty: undecided; a verdict without a chunk: nothing reaches the threshold; with one: the answer
     */
    public Optional<Verdict> decide(Analysed q, double threshold) {
        if (q.matching().isEmpty()) {
            return Optional.empty();
        }
        List<Integer> matching = q.matching().get();
        double[] low = new double[matching.size()];
        double[] high = new double[matching.size()];
        int best = -1;
        for (int j = 0; j < matching.size(); j++) {
            Entry e = entries.get(matching.get(j));
            double factor = Relevance.languageFactor(q.language(), e.language());
            double lexical = lexical(e, q);
            low[j] = factor * Relevance.LEXICAL * lexical;
            high[j] = factor * (Relevance.LEXICAL * lexical + 1 - Relevance.LEXICAL);
            if (best < 0 || low[j] > low[best]) {
                best = j;
            }
        }
        // a chunk that shares no word with the question has no lexical share: at most the embedding's share
        double others = matching.size() < entries.size() ? 1 - Relevance.LEXICAL : 0;
        double highest = others;
        for (int j = 0; j < matching.size(); j++) {
            highest = Math.max(highest, high[j]);
            if (j != best) {
                others = Math.max(others, high[j]);
            }
        }
        if (highest < threshold - MARGIN) {
            return Optional.of(new Verdict(Optional.empty()));
        }
        if (best >= 0 && q.lexical().contains(matching.get(best)) && low[best] >= threshold + MARGIN
                && low[best] > others + MARGIN) {
            Entry e = entries.get(matching.get(best));
            return Optional.of(new Verdict(Optional.of(new Scored(e.chunk(), e.language(), lexical(e, q), Double.NaN,
                    low[best]))));
        }
        return Optional.empty();
    }

    /**
     * What {@link #decide} found.
     *
     * @param answer the chunk that answers, its relevance the least it can be ({@link Scored#semantic} unknown:
     *               NaN); empty when no chunk reaches the threshold
     */
    public record Verdict(Optional<Scored> answer) {
    }

    private static int clauses(Map<String, List<Set<String>>> queryWords) {
        return 2 * queryWords.values().stream().mapToInt(List::size).sum();
    }

    /** The chunks that share a word with the question, best BM25 first, at most {@value #MATCHING}. */
    private List<Integer> lexicalMatches(Map<String, List<Set<String>>> queryWords) {
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        int clauses = 0;
        for (Map.Entry<String, List<Set<String>>> language : queryWords.entrySet()) {
            for (Set<String> forms : language.getValue()) {
                if (clauses >= MAX_CLAUSES) {
                    break;
                }
                query.add(synonyms(field(language.getKey()), forms), BooleanClause.Occur.SHOULD);
                query.add(new BoostQuery(synonyms(answerField(language.getKey()), forms), ANSWER_BOOST),
                        BooleanClause.Occur.SHOULD);
                clauses += 2;
            }
        }
        if (clauses == 0) {
            return List.of();
        }
        try {
            List<Integer> out = new ArrayList<>();
            for (ScoreDoc hit : searcher.search(query.build(), MATCHING).scoreDocs) {
                out.add(searcher.storedFields().document(hit.doc).getField("ordinal").numericValue().intValue());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SynonymQuery synonyms(String field, Set<String> forms) {
        SynonymQuery.Builder b = new SynonymQuery.Builder(field);
        forms.forEach(f -> b.addTerm(new Term(field, f)));
        return b.build();
    }

    /**
     * How much of the query the entry covers, each query word weighted by its IDF in the entry's language; a word
     * found only in an FAQ answer counts half. For an FAQ entry, the share of the entry's own question the query
     * covers scales it (by half to all), so of two entries the one whose question was asked ranks first.
     */
    private double lexical(Entry e, Analysed q) {
        List<Set<String>> query = q.words().getOrDefault(e.language(), List.of());
        Set<String> names = q.names().getOrDefault(e.language(), Set.of());
        if (query.isEmpty()) {
            return 0;
        }
        double total = 0;
        double matched = 0;
        Set<String> queryForms = new HashSet<>();
        for (Set<String> forms : query) {
            double idf = idf(e.language(), forms);
            if (!seen(e.language(), forms) && forms.stream().anyMatch(names::contains)) {
                idf *= NAME_WEIGHT; // a name the knowledge never mentions ("France"): what is asked matters more
            }
            total += idf;
            if (forms.stream().anyMatch(e.matchable()::contains)) {
                matched += idf;
            } else if (forms.stream().anyMatch(e.answerMatchable()::contains)) {
                matched += idf / 2;
            }
            queryForms.addAll(forms);
        }
        double queryCoverage = total == 0 ? 0 : matched / total;
        if (e.chunk().answer().isEmpty() || e.ownWords().isEmpty()) {
            return queryCoverage;
        }
        Set<String> queryMatchable = analysis.withSynonyms(e.language(), queryForms);
        double own = 0;
        double ownMatched = 0;
        for (Set<String> forms : e.ownWords()) {
            double idf = idf(e.language(), forms);
            own += idf;
            if (forms.stream().anyMatch(queryMatchable::contains)) {
                ownMatched += idf;
            }
        }
        double questionCoverage = own == 0 ? 0 : ownMatched / own;
        return queryCoverage * (0.5 + 0.5 * questionCoverage);
    }

    private boolean seen(String language, Set<String> forms) {
        Map<String, Integer> df = documentFrequency.getOrDefault(language, Map.of());
        return forms.stream().anyMatch(df::containsKey);
    }

    private double idf(String language, Set<String> forms) {
        int n = documentCount.getOrDefault(language, 0);
        Map<String, Integer> df = documentFrequency.getOrDefault(language, Map.of());
        // a word no chunk has weighs as much as one a single chunk has: rare, but not the whole question
        int freq = Math.max(1, forms.stream().mapToInt(f -> df.getOrDefault(f, 0)).max().orElse(0));
        return Math.log(1 + (n - freq + 0.5) / (freq + 0.5));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static String field(String language) {
        return "q_" + language;
    }

    private static String answerField(String language) {
        return "a_" + language;
    }

    /** How lexical coverage and cosine become one relevance; see docs/benchmarks.md for how it was calibrated. */
    public static final class Relevance {

        /** Relevance kept when the chunk is in another language than the question. */
        public static final double OTHER_LANGUAGE = 0.6;

        private Relevance() {
        }

        /**
         * The lexical coverage's share of the relevance; the rest is the semantic contrast. (Giving the embedding
         * more weight in English, the language it learnt, answered more but refused less: see docs/benchmarks.md.)
         */
        static final double LEXICAL = 0.85;
        /** How far above the typical chunk's cosine a candidate must stand to count as fully similar. */
        static final double SCALE = 0.25;

        /**
         * @param typical the median cosine of the query to the chunks in the candidate's language: the embedding
         *                model's similarities run higher in some languages than others, so what counts is how far
         *                above the typical chunk the candidate stands
         */
        static double fuse(double lexical, double cosine, double typical) {
            double semantic = Math.max(0, Math.min(1, (cosine - typical) / SCALE));
            return LEXICAL * lexical + (1 - LEXICAL) * semantic;
        }

        /** What a relevance is multiplied by: {@link #OTHER_LANGUAGE} for a chunk in another known language. */
        static double languageFactor(Optional<String> queryLanguage, String chunkLanguage) {
            return queryLanguage.isPresent() && !queryLanguage.get().equals(chunkLanguage) ? OTHER_LANGUAGE : 1;
        }
    }
}
