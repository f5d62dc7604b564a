package dev.clawless.server.api;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /v1/chat/completions} with no LLM and no API key: the embedded retrieval assistant answers from an uploaded
 * FAQ, through an unmodified OpenAI client library, plain and streamed.
 */
class ChatCompletionsServerTest {

    private static TestHub hub;
    private static String key;

    @BeforeAll
    static void start() {
        hub = TestHub.start();
        String tenant = hub.tenant("Shop");
        key = hub.key(tenant, "[\"chat\",\"knowledge:admin\"]");
        HttpResponse<String> doc = hub.call("POST", "/v1/knowledge/documents", key, """
                {"title": "FAQ", "format": "faq", "content": [
                  {"q": "When will my order arrive?", "a": "Orders arrive within 3-5 business days."},
                  {"q": "Can I return an item?", "a": "Yes, within 30 days for a full refund."}]}""");
        assertEquals(201, doc.statusCode(), doc.body());
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void anOpenAiClientGetsTheAnswerFromTheFaq() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(hub.base() + "/v1").apiKey(key)
                .modelName("default").timeout(Duration.ofSeconds(20)).maxRetries(0).build();
        assertEquals("Yes, within 30 days for a full refund.", model.chat("Can I send a product back?"));
    }

    @Test
    void anImagePartIsRefusedNamingItAndTextPartsAreJoined() {
        JsonNode refused = json(hub.call("POST", "/v1/chat/completions", key, """
                {"messages": [{"role": "user", "content": [{"type": "text", "text": "What is this?"},
                  {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}]}"""));
        assertEquals("messages[0].content[1]", refused.at("/error/param").asText(), refused.toString());
        assertEquals("invalid_request_error", refused.at("/error/type").asText());
        JsonNode parts = json(hub.call("POST", "/v1/chat/completions", key, """
                {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hello."},
                  {"type": "text", "text": "When will my order arrive?"}]}]}"""));
        assertEquals("Orders arrive within 3-5 business days.", parts.at("/choices/0/message/content").asText(),
                parts.toString());
    }

    @Test
    void aTenantsModelAliasesNameWhatServesThemAndAreListed() {
        String tenant = hub.tenant("Aliases");
        String admin = hub.key(tenant, "[\"tenant:admin\",\"knowledge:admin\",\"chat\"]");
        assertEquals(201, hub.call("POST", "/v1/knowledge/documents", admin, """
                {"title": "FAQ", "format": "faq", "content": [
                  {"q": "When will my order arrive?", "a": "Orders arrive within 3-5 business days."}]}""")
                .statusCode());
        HttpResponse<String> set = hub.call("PATCH", "/v1/tenant", admin, """
                {"settings": {"assistant": {"model_aliases": {"support-bot": "retrieval", "gpt-4o": "openai/gpt-4o"}}}}""");
        assertEquals(200, set.statusCode(), set.body());
        assertEquals("retrieval", json(set).at("/settings/assistant/model_aliases/support-bot").asText());

        JsonNode answer = json(hub.call("POST", "/v1/chat/completions", admin,
                "{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\"when does my order arrive\"}]}"));
        assertEquals("Orders arrive within 3-5 business days.", answer.at("/choices/0/message/content").asText());
        assertEquals("retrieval/all-minilm-l6-v2-q", answer.get("model").asText());

        // listed when this hub serves the alias's provider: this one has no OpenAI provider
        String models = hub.call("GET", "/v1/models", admin, null).body();
        assertTrue(models.contains("\"support-bot\""), models);
        assertTrue(!models.contains("\"gpt-4o\""), models);
        assertEquals(200, hub.call("GET", "/v1/models/support-bot", admin, null).statusCode());
        JsonNode unavailable = json(hub.call("POST", "/v1/chat/completions", admin,
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertEquals("model", unavailable.at("/error/param").asText(), unavailable.toString());

        JsonNode bad = json(hub.call("PATCH", "/v1/tenant", admin,
                "{\"settings\": {\"assistant\": {\"model_aliases\": {\"x\": \"auto\", \"a/b\": \"retrieval\","
                        + " \"retrieval\": \"retrieval\"}}}}"));
        assertEquals(400, bad.get("status").asInt(), bad.toString());
        assertTrue(bad.toString().contains("settings.assistant.model_aliases.x"), bad.toString());
        assertTrue(bad.toString().contains("settings.assistant.model_aliases.a/b"), bad.toString());
        // an alias named like a provider would shadow it (and could point at itself): refused
        assertTrue(bad.toString().contains("settings.assistant.model_aliases.retrieval"), bad.toString());
        // another tenant's aliases are its own
        assertEquals(404, hub.call("GET", "/v1/models/support-bot", key, null).statusCode());
    }

    @Test
    void anOpenAiClientStreamsTheAnswer() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(hub.base() + "/v1").apiKey(key)
                .modelName("default").timeout(Duration.ofSeconds(20)).build();
        List<String> partials = new ArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("how long does delivery take", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(20, TimeUnit.SECONDS);
        assertEquals("Orders arrive within 3-5 business days.", response.aiMessage().text());
        assertTrue(partials.size() > 3, "streamed in pieces: " + partials);
        assertEquals(response.aiMessage().text(), String.join("", partials));
    }

    @Test
    void theStreamIsServerSentChunksEndingWithDone() {
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"return policy?\"}],\"stream\":true,"
                        + "\"stream_options\":{\"include_usage\":true},\"temperature\":0.2}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        String[] events = r.body().split("\n\n");
        assertEquals("data: [DONE]", events[events.length - 1]);
        JsonNode first = json(events[0].substring(6));
        assertEquals("chat.completion.chunk", first.get("object").asText());
        assertEquals("assistant", first.at("/choices/0/delta/role").asText());
        JsonNode usage = json(events[events.length - 2].substring(6));
        assertTrue(usage.at("/usage/total_tokens").asInt() > 0);
        assertEquals("stop", json(events[events.length - 3].substring(6)).at("/choices/0/finish_reason").asText());
    }

    @Test
    void aPlainAnswerHasTheOpenAiShapeAndUsage() {
        JsonNode body = json(hub.call("POST", "/v1/chat/completions", key,
                "{\"model\":\"retrieval\",\"messages\":[{\"role\":\"system\",\"content\":\"x\"},"
                        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"where is my order\"}]}]}"));
        assertEquals("chat.completion", body.get("object").asText());
        assertTrue(body.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("retrieval/all-minilm-l6-v2-q", body.get("model").asText());
        assertEquals("assistant", body.at("/choices/0/message/role").asText());
        assertEquals("Orders arrive within 3-5 business days.", body.at("/choices/0/message/content").asText());
        assertTrue(body.at("/usage/prompt_tokens").asInt() > 0);
    }

    @Test
    void malformedRequestsGetOpenAiStyleErrors() {
        for (String bad : List.of("{}", "{\"messages\":[]}", "{\"messages\":\"hi\"}",
                "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}", "{\"messages\":[{\"role\":\"user\","
                        + "\"content\":5}]}", "{\"model\":\"nope/x\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "{\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "{\"messages\": [")) {
            HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, bad);
            assertEquals(400, r.statusCode(), bad + " -> " + r.body());
            JsonNode error = json(r).get("error");
            assertEquals("invalid_request_error", error.get("type").asText(), bad);
            assertTrue(error.get("message").asText().length() > 3, bad);
        }
        String noChat = hub.key(json(hub.call("GET", "/v1/tenant", key, null)).get("id").asText(), "[\"usage:read\"]");
        HttpResponse<String> forbidden = hub.call("POST", "/v1/chat/completions", noChat,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(403, forbidden.statusCode());
    }

    @Test
    void everyErrorOfTheOpenAiRoutesHasOpenAisShape() {
        String ask = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        HttpResponse<String> noKey = hub.call("POST", "/v1/chat/completions", "ck_live_key_nope_0000", ask);
        assertEquals(401, noKey.statusCode());
        assertEquals("authentication_error", json(noKey).at("/error/type").asText(), noKey.body());
        assertTrue(json(noKey).at("/error/message").asText().length() > 3);
        assertEquals("application/json", noKey.headers().firstValue("Content-Type").orElse(""));
        String usageOnly = hub.key(json(hub.call("GET", "/v1/tenant", key, null)).get("id").asText(),
                "[\"usage:read\"]");
        HttpResponse<String> forbidden = hub.call("POST", "/v1/chat/completions", usageOnly, ask);
        assertEquals("permission_error", json(forbidden).at("/error/type").asText(), forbidden.body());
        assertEquals("insufficient-scope", json(forbidden).at("/error/code").asText());
        HttpResponse<String> wrongType = hub.send(hub.request("/v1/chat/completions").header("Authorization",
                "Bearer " + key).header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(ask)));
        assertEquals(415, wrongType.statusCode());
        assertEquals("invalid_request_error", json(wrongType).at("/error/type").asText(), wrongType.body());
        HttpResponse<String> huge = hub.call("POST", "/v1/chat/completions", key, "{\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + "x".repeat(3_000_000) + "\"}]}");
        assertEquals(413, huge.statusCode());
        assertTrue(json(huge).has("error"), huge.body());
        HttpResponse<String> models = hub.call("GET", "/v1/models", "ck_live_key_nope_0000", null);
        assertEquals("authentication_error", json(models).at("/error/type").asText(), models.body());
        // other routes keep problem+json
        assertTrue(hub.call("GET", "/v1/tenant", "ck_live_key_nope_0000", null).body().contains("urn:clawless:problem"));
    }

    @Test
    void aBareModelNameWithoutItsProviderIsAnsweredByTheTenantsAssistantWhichHonoursMaxTokensAndStop() {
        JsonNode body = json(hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-3.5-turbo\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"where is my order\"}]}"));
        assertEquals("retrieval/all-minilm-l6-v2-q", body.get("model").asText(), body.toString());
        assertEquals("Orders arrive within 3-5 business days.", body.at("/choices/0/message/content").asText());
        JsonNode cut = json(hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"where is my order\"}]}"));
        assertEquals("length", cut.at("/choices/0/finish_reason").asText(), cut.toString());
        assertEquals("Orders a", cut.at("/choices/0/message/content").asText());
        JsonNode stopped = json(hub.call("POST", "/v1/chat/completions", key, "{\"stop\":\" business\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"where is my order\"}]}"));
        assertEquals("Orders arrive within 3-5", stopped.at("/choices/0/message/content").asText());
        assertEquals("stop", stopped.at("/choices/0/finish_reason").asText());
    }

    @Test
    void embeddingsComeFromTheHubsOwnModelAndRefuseWhatItCannotDo() {
        JsonNode e = json(hub.call("POST", "/v1/embeddings", key, "{\"model\":\"text-embedding-3-small\","
                + "\"input\":[\"where is my order\",\"when will my parcel arrive\"]}"));
        assertEquals("list", e.get("object").asText());
        assertEquals("all-minilm-l6-v2-q", e.get("model").asText());
        assertEquals(384, e.at("/data/0/embedding").size());
        assertEquals(1, e.at("/data/1/index").asInt());
        double norm = 0;
        for (JsonNode x : e.at("/data/0/embedding")) {
            norm += x.asDouble() * x.asDouble();
        }
        assertEquals(1.0, norm, 1e-3);
        for (String[] bad : List.of(new String[] {"input", "{\"input\":[[1,2,3]]}"},
                new String[] {"dimensions", "{\"input\":\"x\",\"dimensions\":1536}"},
                new String[] {"input", "{\"input\":[]}"}, new String[] {"foo", "{\"input\":\"x\",\"foo\":1}"})) {
            HttpResponse<String> r = hub.call("POST", "/v1/embeddings", key, bad[1]);
            assertEquals(400, r.statusCode(), r.body());
            assertEquals(bad[0], json(r).at("/error/param").asText(), r.body());
        }
    }
}
