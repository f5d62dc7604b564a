package dev.clawless.server.api;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /v1/knowledge/*} over HTTP against a running hub with the real embedding model. */
class KnowledgeApiServerTest {

    private static final String FAQ = """
            {"title": "Shop FAQ", "format": "faq", "content": [
              {"q": "When will my order arrive?", "a": "Orders arrive within 3-5 business days."},
              {"q": "Can I return an item?", "a": "Yes, within 30 days for a full refund."},
              {"q": "Which payment methods do you accept?", "a": "Visa, Mastercard and PayPal."}]}""";

    private static TestHub hub;
    private static String key;

    @BeforeAll
    static void start() {
        hub = TestHub.start(java.util.Map.of("CLAWLESS_KNOWLEDGE_MAX_DOCUMENT_SIZE", "4KiB"));
        key = hub.key(hub.tenant("Shop"), "[\"knowledge:admin\"]");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void anUploadedFaqAnswersQuestionsInOtherWords() {
        HttpResponse<String> added = hub.call("POST", "/v1/knowledge/documents", key, FAQ);
        assertEquals(201, added.statusCode(), added.body());
        String id = json(added).get("id").asText();
        assertEquals(3, json(added).get("chunk_count").asInt());

        JsonNode hits = json(hub.call("POST", "/v1/knowledge/search", key, "{\"query\":\"how long is shipping\",\"k\":2}"));
        assertEquals("When will my order arrive?", hits.at("/data/0/text").asText());
        assertEquals("Orders arrive within 3-5 business days.", hits.at("/data/0/answer").asText());
        assertEquals(2, hits.get("data").size());

        JsonNode read = json(hub.call("GET", "/v1/knowledge/documents/" + id, key, null));
        assertEquals("Can I return an item?", read.at("/content/1/q").asText());
        assertTrue(hub.call("GET", "/v1/knowledge/documents", key, null).body().contains(id));

        String chatKey = hub.key(json(hub.call("GET", "/v1/tenant", key, null)).get("id").asText(), "[\"chat\"]");
        assertEquals(200, hub.call("POST", "/v1/knowledge/search", chatKey, "{\"query\":\"refund\"}").statusCode());
        assertEquals(403, hub.call("GET", "/v1/knowledge/documents", chatKey, null).statusCode());

        JsonNode chunks = json(hub.call("GET", "/v1/knowledge/documents/" + id + "/chunks", key, null)).get("data");
        assertEquals(3, chunks.size());
        assertEquals("Can I return an item?", chunks.get(1).get("text").asText());
        assertEquals("Yes, within 30 days for a full refund.", chunks.get(1).get("answer").asText());
        assertEquals(1, chunks.get(1).get("ordinal").asInt());
        String otherKey = hub.key(hub.tenant("Other shop"), "[\"knowledge:admin\"]");
        assertEquals(404, hub.call("GET", "/v1/knowledge/documents/" + id + "/chunks", otherKey, null).statusCode());

        assertEquals(204, hub.call("DELETE", "/v1/knowledge/documents/" + id, key, null).statusCode());
        assertEquals(404, hub.call("GET", "/v1/knowledge/documents/" + id, key, null).statusCode());
    }

    @Test
    void theRetrievalAssistantAnswersInTheAskersLanguageAndCitesWhatItAnswersFrom() {
        String tenant = hub.tenant("Tienda");
        String admin = hub.key(tenant, "[\"knowledge:admin\"]");
        String chat = hub.key(tenant, "[\"chat\"]");
        HttpResponse<String> faq = hub.call("POST", "/v1/knowledge/documents", admin, """
                {"title": "Preguntas frecuentes", "format": "faq", "content": [
                  {"q": "¿Cuánto tarda la entrega?", "a": "Los pedidos llegan en 3 a 5 días hábiles."},
                  {"q": "¿Cuál es su política de devoluciones?", "a": "Puede devolver cualquier artículo en 30 días."}]}
                """);
        assertEquals(201, faq.statusCode(), faq.body());
        HttpResponse<String> guide = hub.call("POST", "/v1/knowledge/documents", admin, """
                {"title": "Guía de la tienda", "format": "markdown",
                 "content": "# Pagos\\n\\n## Tarjetas\\n\\nAceptamos Visa, Mastercard y PayPal en la tienda online."}
                """);
        assertEquals(201, guide.statusCode(), guide.body());

        JsonNode answer = json(hub.call("POST", "/v1/chat/completions", chat,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"¿en cuántos días me llega el paquete?\"}]}"));
        assertEquals("Los pedidos llegan en 3 a 5 días hábiles.", answer.at("/choices/0/message/content").asText());
        assertEquals("Preguntas frecuentes", answer.at("/citations/0/document_title").asText());
        assertTrue(answer.at("/citations/0/section").isNull(), answer.toString());

        JsonNode passage = json(hub.call("POST", "/v1/chat/completions", chat,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"¿Puedo pagar con tarjeta Visa?\"}]}"));
        assertTrue(passage.at("/choices/0/message/content").asText().contains("Aceptamos Visa"), passage.toString());
        assertEquals("Guía de la tienda", passage.at("/citations/0/document_title").asText());
        assertEquals("Pagos > Tarjetas", passage.at("/citations/0/section").asText());

        JsonNode refused = json(hub.call("POST", "/v1/chat/completions", chat,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"¿Quién ganó el partido de fútbol anoche?\"}]}"));
        assertTrue(refused.at("/choices/0/message/content").asText().startsWith("Lo siento, no he encontrado"),
                refused.toString());
        assertTrue(refused.path("citations").isMissingNode(), refused.toString());
    }

    @Test
    void badDocumentsGetClearErrors() {
        JsonNode p = json(hub.call("POST", "/v1/knowledge/documents", key,
                "{\"title\":\"x\",\"format\":\"faq\",\"content\":[{\"q\":1},\"no\"]}"));
        assertEquals(400, p.get("status").asInt());
        assertEquals("content[0]", p.at("/errors/0/field").asText());
        assertEquals(400, hub.call("POST", "/v1/knowledge/documents", key,
                "{\"title\":\"x\",\"format\":\"pdf\",\"content\":\"a\"}").statusCode());
        assertEquals(400, hub.call("POST", "/v1/knowledge/documents", key, "{\"title\":\"x\",\"content\":\"a\"}")
                .statusCode());
        HttpResponse<String> big = hub.call("POST", "/v1/knowledge/documents", key,
                "{\"title\":\"big\",\"format\":\"text\",\"content\":\"" + "a".repeat(5000) + "\"}");
        assertEquals(413, big.statusCode(), big.body());
        assertEquals(400, hub.call("POST", "/v1/knowledge/search", key, "{\"query\":\"\"}").statusCode());
        assertEquals(400, hub.call("POST", "/v1/knowledge/search", key, "{\"query\":\"x\",\"k\":500}").statusCode());
    }

    @Test
    void anotherTenantsDocumentIsNotFound() {
        String id = json(hub.call("POST", "/v1/knowledge/documents", key,
                "{\"title\":\"Hours\",\"format\":\"text\",\"content\":\"We open at 9am.\"}")).get("id").asText();
        String otherKey = hub.key(hub.tenant("Other"), "[\"knowledge:admin\"]");
        assertEquals(404, hub.call("GET", "/v1/knowledge/documents/" + id, otherKey, null).statusCode());
        assertEquals(404, hub.call("DELETE", "/v1/knowledge/documents/" + id, otherKey, null).statusCode());
        assertEquals(0, json(hub.call("POST", "/v1/knowledge/search", otherKey, "{\"query\":\"opening hours\"}"))
                .get("data").size());
    }

    @Test
    void theIntentTestBoxNamesTheClosestIntentAndWhetherItCounts() {
        String k = hub.key(hub.tenant("Intents"), "[\"knowledge:admin\"]");
        assertEquals(201, hub.call("POST", "/v1/intents", k, "{\"name\":\"purchase\",\"mode\":\"sales\","
                + "\"examples\":[\"I want to buy this\",\"How do I order?\"]}").statusCode());
        JsonNode hit = json(hub.call("POST", "/v1/intents/test", k, "{\"text\":\"I would like to buy it\"}"));
        assertEquals("purchase", hit.at("/intent/name").asText());
        assertEquals("sales", hit.at("/intent/mode").asText());
        assertTrue(hit.get("score").asDouble() >= hit.get("threshold").asDouble(), hit.toString());
        JsonNode miss = json(hub.call("POST", "/v1/intents/test", k, "{\"text\":\"the weather in Oslo\"}"));
        assertTrue(miss.get("intent").isNull(), miss.toString());
        assertEquals("purchase", miss.get("closest").asText());
        assertTrue(miss.get("score").asDouble() < miss.get("threshold").asDouble(), miss.toString());
        assertEquals(400, hub.call("POST", "/v1/intents/test", k, "{\"text\":\"\",\"x\":1}").statusCode());
    }
}
