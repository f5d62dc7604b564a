package dev.clawless.core.knowledge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.assistant.AssistantRequest;
import dev.clawless.core.assistant.AssistantRuntime;
import dev.clawless.core.assistant.ChatMessage;
import dev.clawless.core.assistant.Completion;
import dev.clawless.core.assistant.RetrievalProvider;
import dev.clawless.core.common.Ids;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.tenant.NewTenant;
import dev.clawless.core.tenant.Plan;
import dev.clawless.core.tenant.QuotaOverrides;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.tenant.SettingsPatch;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantConfig;
import dev.clawless.core.tenant.TenantManagement;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retrieval assistant against the labelled evaluation set in {@code src/test/resources/knowledge-eval}: 90
 * paraphrased customer questions in English, Spanish and Portuguese, a third of which the FAQ does not answer. Asked
 * of a shop whose knowledge holds the FAQ in all three languages (the answer must come in the asker's language) and
 * of three shops with one language each. Floors: at least 90 % of answerable questions answered with the right
 * entry and at least 90 % of the others refused, per language. Writes its table to
 * {@code target/knowledge-eval.md} (copied into docs/benchmarks.md).
 */
class KnowledgeEvalTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LANGUAGES = List.of("en", "es", "pt");

    private static Database database;
    private static AssistantRuntime runtime;
    private static Tenant allLanguages;
    private static final Map<String, Tenant> oneLanguage = new LinkedHashMap<>();
    private static final Map<String, Map<String, String>> answers = new LinkedHashMap<>();
    private static JsonNode questions;
    private static JsonNode holdout;

    private record Score(int answerable, int answered, int unanswerable, int refused, int wrongAnswers,
                         List<String> misses) {

        double recall() {
            return answerable == 0 ? 1 : (double) answered / answerable;
        }

        double refusals() {
            return unanswerable == 0 ? 1 : (double) refused / unanswerable;
        }

        /** Of the answers given, the share that were right. */
        double precision() {
            int given = answered + wrongAnswers;
            return given == 0 ? 1 : (double) answered / given;
        }
    }

    @BeforeAll
    static void load() throws IOException {
        Clock clock = Clock.systemUTC();
        database = Database.open(TestDatabases.h2());
        Ids ids = new Ids(clock);
        TenantManagement tenants = new TenantManagement(database, new AuditLog(database, clock),
                new TenantConfig(Map.of("free", new Plan("free", new Quotas(1, 1, 1))), "free", Duration.ofHours(1),
                        10), clock, ids);
        KnowledgeManagement knowledge = new KnowledgeManagement(database, new MiniLmEmbedder(),
                new KnowledgeConfig(1024 * 1024, 800), clock, ids);
        JsonNode faq = read("faq.json");
        questions = read("questions.json").get("questions");
        holdout = read("holdout.json").get("questions");
        allLanguages = tenants.create(Actor.admin("eval"), new NewTenant("Shop in three languages", Optional.empty(),
                QuotaOverrides.NONE, SettingsPatch.NONE));
        for (String language : LANGUAGES) {
            List<FaqEntry> entries = new ArrayList<>();
            Map<String, String> byId = new LinkedHashMap<>();
            for (JsonNode e : faq.get(language)) {
                entries.add(new FaqEntry(e.get("q").asText(), e.get("a").asText()));
                byId.put(e.get("id").asText(), e.get("a").asText());
            }
            answers.put(language, byId);
            knowledge.add(allLanguages.id(), NewDocument.faq("FAQ " + language, entries));
            Tenant single = tenants.create(Actor.admin("eval"), new NewTenant("Shop " + language, Optional.empty(),
                    QuotaOverrides.NONE, SettingsPatch.NONE));
            knowledge.add(single.id(), NewDocument.faq("FAQ", entries));
            oneLanguage.put(language, single);
        }
        runtime = new AssistantRuntime(List.of(new RetrievalProvider(knowledge,
                RetrievalProvider.DEFAULT_MIN_RELEVANCE)));
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static JsonNode read(String name) throws IOException {
        try (InputStream in = KnowledgeEvalTest.class.getResourceAsStream("/knowledge-eval/" + name)) {
            return JSON.readTree(in);
        }
    }

    private static Completion ask(Tenant tenant, String question) {
        AssistantRuntime.Target target = runtime.resolve(tenant, "");
        return runtime.complete(target, new AssistantRequest(tenant.id(), target.model(), List.of(
                new ChatMessage(ChatMessage.Role.USER, question))), d -> { });
    }

    private static Score score(JsonNode questions, String language, boolean shared) {
        Tenant tenant = shared ? allLanguages : oneLanguage.get(language);
        int answerable = 0;
        int answered = 0;
        int unanswerable = 0;
        int refused = 0;
        int wrong = 0;
        List<String> misses = new ArrayList<>();
        for (JsonNode q : questions) {
            if (!q.get("lang").asText().equals(language)) {
                continue;
            }
            Completion c = ask(tenant, q.get("q").asText());
            boolean refusal = "handoff".equals(c.finishReason());
            if (q.get("expect").isNull()) {
                unanswerable++;
                if (refusal) {
                    refused++;
                } else {
                    wrong++;
                    misses.add("answered «" + q.get("q").asText() + "» with «" + c.text() + "»");
                }
            } else {
                answerable++;
                String expected = answers.get(language).get(q.get("expect").asText());
                if (c.text().endsWith(expected)) { // an answer may be given after the question it answers
                    answered++;
                } else {
                    if (!refusal) {
                        wrong++;
                    }
                    misses.add((refusal ? "refused" : "answered wrongly") + " «" + q.get("q").asText() + "»"
                            + (refusal ? "" : " with «" + c.text() + "»"));
                }
            }
        }
        return new Score(answerable, answered, unanswerable, refused, wrong, misses);
    }

    @Test
    void answersInEachLanguageAboveTheFloorsAndRefusesWhatTheFaqDoesNotAnswer() throws IOException {
        StringBuilder table = new StringBuilder("| Knowledge | Language | Answerable answered right | Precision of"
                + " answers | Unanswerable refused |\n|---|---|---|---|---|\n");
        List<String> failures = new ArrayList<>();
        for (boolean shared : List.of(true, false)) {
            for (String language : LANGUAGES) {
                Score s = score(questions, language, shared);
                String knowledge = shared ? "FAQ in en, es and pt" : "FAQ in " + language + " only";
                table.append(String.format("| %s | %s | %d/%d (%.0f %%) | %.0f %% | %d/%d (%.0f %%) |%n", knowledge,
                        language, s.answered(), s.answerable(), 100 * s.recall(), 100 * s.precision(), s.refused(),
                        s.unanswerable(), 100 * s.refusals()));
                s.misses().forEach(m -> System.out.println("[" + knowledge + "] " + m));
                if (s.recall() < 0.9 || s.refusals() < 0.9) {
                    failures.add(knowledge + ", " + language + ": " + s.misses());
                }
            }
        }
        table.append("\nHeld out (written after calibration, never tuned on; reported, no floor):\n\n"
                + "| Knowledge | Language | Answerable answered right | Precision of answers | Unanswerable refused |"
                + "\n|---|---|---|---|---|\n");
        for (String language : LANGUAGES) {
            Score s = score(holdout, language, true);
            table.append(String.format("| FAQ in en, es and pt | %s | %d/%d (%.0f %%) | %.0f %% | %d/%d (%.0f %%) |%n",
                    language, s.answered(), s.answerable(), 100 * s.recall(), 100 * s.precision(), s.refused(),
                    s.unanswerable(), 100 * s.refusals()));
            s.misses().forEach(m -> System.out.println("[held out] " + m));
        }
        System.out.println(table);
        Path out = Path.of("target", "knowledge-eval.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
