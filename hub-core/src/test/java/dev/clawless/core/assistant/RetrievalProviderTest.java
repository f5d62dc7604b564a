package dev.clawless.core.assistant;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.knowledge.FaqEntry;
import dev.clawless.core.knowledge.KnowledgeConfig;
import dev.clawless.core.knowledge.KnowledgeManagement;
import dev.clawless.core.knowledge.MiniLmEmbedder;
import dev.clawless.core.knowledge.NewDocument;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.tenant.AssistantPatch;
import dev.clawless.core.tenant.NewTenant;
import dev.clawless.core.tenant.Plan;
import dev.clawless.core.tenant.QuotaOverrides;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.tenant.SettingsPatch;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantConfig;
import dev.clawless.core.tenant.TenantManagement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetrievalProviderTest {

    private static Database database;
    private static Tenant tenant;
    private static TenantManagement tenants;
    private static AssistantRuntime runtime;
    private static KnowledgeManagement knowledge;

    @BeforeAll
    static void open() {
        Clock clock = Clock.systemUTC();
        database = Database.open(TestDatabases.h2());
        Ids ids = new Ids(clock);
        tenants = new TenantManagement(database, new AuditLog(database, clock),
                new TenantConfig(Map.of("free", new Plan("free", new Quotas(1, 1, 1))), "free", Duration.ofHours(1),
                        10), clock, ids);
        tenant = tenants.create(Actor.admin("t"), new NewTenant("Shop", Optional.empty(), QuotaOverrides.NONE,
                SettingsPatch.NONE));
        knowledge = new KnowledgeManagement(database, new MiniLmEmbedder(),
                new KnowledgeConfig(64 * 1024, 800), clock, ids);
        knowledge.add(tenant.id(), NewDocument.faq("FAQ", List.of(
                new FaqEntry("When will my order arrive?", "Orders arrive within 3-5 business days."),
                new FaqEntry("Can I return an item?", "Yes, within 30 days for a full refund."))));
        runtime = new AssistantRuntime(List.of(new RetrievalProvider(knowledge, RetrievalProvider.DEFAULT_MIN_RELEVANCE)));
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static Completion ask(Tenant shop, String question) {
        AssistantRuntime.Target target = runtime.resolve(shop, "");
        return runtime.complete(target, new AssistantRequest(shop.id(), target.model(), List.of(
                new ChatMessage(ChatMessage.Role.USER, question))), d -> { });
    }

    private static Completion ask(String question, List<String> deltas) {
        AssistantRuntime.Target target = runtime.resolve(tenant, "");
        return runtime.complete(target, new AssistantRequest(tenant.id(), target.model(), List.of(
                new ChatMessage(ChatMessage.Role.SYSTEM, "Be helpful."),
                new ChatMessage(ChatMessage.Role.USER, question))), deltas::add);
    }

    @Test
    void answersFromTheFaqAndStreamsTheAnswerInPieces() {
        List<String> deltas = new ArrayList<>();
        Completion c = ask("how long does shipping take?", deltas);
        assertEquals("Orders arrive within 3-5 business days.", c.text());
        assertEquals("stop", c.finishReason());
        assertEquals(c.text(), String.join("", deltas));
        assertEquals(6, deltas.size());
        assertEquals("retrieval", c.provider());
    }

    @Test
    void aYesOrNoAnswerToAnOpenQuestionIsGivenAfterTheQuestionItAnswers() {
        Tenant shop = tenants.create(Actor.admin("t"), new NewTenant("Ships abroad", Optional.empty(),
                QuotaOverrides.NONE, SettingsPatch.NONE));
        knowledge.add(shop.id(), NewDocument.faq("FAQ", List.of(
                new FaqEntry("Do you ship internationally?", "Yes, in about 7 days."),
                new FaqEntry("Can I pay by card?", "Yes, Visa and Mastercard."))));
        Completion open = ask(shop, "How long does shipping take?");
        assertEquals("Do you ship internationally? Yes, in about 7 days.", open.text());
        Completion yesNo = ask(shop, "Do you deliver abroad?");
        assertEquals("Yes, in about 7 days.", yesNo.text());
        Completion spanish = ask(shop, "¿Cuánto tarda el envío?");
        assertEquals("handoff", spanish.finishReason(), "no Spanish entry: " + spanish.text());
        assertTrue(spanish.text().startsWith("Lo siento"), spanish.text());
    }

    @Test
    void aKnowledgeBaseOfOneEntryAnswersItsParaphrases() {
        Tenant shop = tenants.create(Actor.admin("t"), new NewTenant("One entry", Optional.empty(),
                QuotaOverrides.NONE, SettingsPatch.NONE));
        knowledge.add(shop.id(), NewDocument.faq("FAQ", List.of(
                new FaqEntry("Do you ship to Canada?", "Yes, in about 7 days."))));
        assertEquals("Yes, in about 7 days.", ask(shop, "Can I get a delivery to Toronto?").text());
        assertEquals("handoff", ask(shop, "What is the capital of Mongolia?").finishReason());
    }

    @Test
    void offersAHumanWhenNothingMatches() {
        Completion c = ask("What is the capital of Mongolia?", new ArrayList<>());
        assertEquals(RetrievalProvider.NO_ANSWER, c.text());
        assertEquals("handoff", c.finishReason());
    }

    @Test
    void modelsResolveFromTheRequestOrTheTenantAndUnknownOnesAreRefused() {
        assertEquals("retrieval/all-minilm-l6-v2-q", runtime.resolve(tenant, null).label());
        assertEquals("retrieval/all-minilm-l6-v2-q", runtime.resolve(tenant, "default").label());
        assertEquals("retrieval/custom", runtime.resolve(tenant, "retrieval/custom").label());
        ClawlessException.Validation v = assertThrows(ClawlessException.Validation.class,
                () -> runtime.resolve(tenant, "openai/gpt-4o-mini"));
        assertEquals("model", v.errors().get(0).field());
        Tenant onOpenAi = tenants.update(Actor.admin("t"), tenant.id(), dev.clawless.core.tenant.TenantChange.bySelf(
                Optional.empty(), new SettingsPatch(Optional.empty(), Optional.empty(), Optional.of(
                        new AssistantPatch(Optional.of("openai"), Optional.empty(), false)), Optional.empty(),
                        Optional.empty())));
        assertThrows(ClawlessException.Validation.class, () -> runtime.resolve(onOpenAi, ""));
        assertEquals("retrieval/all-minilm-l6-v2-q", runtime.resolve(onOpenAi, "retrieval").label());
    }
}
