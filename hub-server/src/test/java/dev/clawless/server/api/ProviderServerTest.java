package dev.clawless.server.api;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.server.LogCapture;
import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hub configured with an OpenAI-compatible provider, served by WireMock. */
class ProviderServerTest {

    private static final String PROVIDER_KEY = "sk-provider-secret-987";
    private static final String STREAM = """
            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":"From "},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":"the LLM."},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}

            data: [DONE]

            """;

    private static WireMockServer llm;
    private static LogCapture logs;
    private static TestHub hub;
    private static TestHub hubWithFallback;

    @BeforeAll
    static void start() {
        logs = new LogCapture();
        llm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        llm.start();
        Map<String, String> env = Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", PROVIDER_KEY,
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", llm.baseUrl() + "/v1",
                "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-test");
        hub = TestHub.start(env);
        java.util.Map<String, String> withFallback = new java.util.HashMap<>(env);
        withFallback.put("CLAWLESS_ASSISTANT_FALLBACK", "retrieval");
        hubWithFallback = TestHub.start(withFallback);
    }

    @AfterAll
    static void stop() {
        hub.close();
        hubWithFallback.close();
        llm.stop();
        logs.close();
    }

    @BeforeEach
    void reset() {
        llm.resetAll();
    }

    @Test
    void theConsoleLearnsWhichProvidersThisHubHasConfigured() {
        String key = hub.key(hub.tenant("Providers"), "[\"tenant:admin\"]");
        JsonNode answer = json(hub.call("GET", "/v1/assistant/providers", key, null));
        assertEquals(0, answer.get("routing").size(), "no operator routing rules configured");
        JsonNode data = answer.get("data");
        assertEquals("auto", data.get(0).get("name").asText());
        assertTrue(data.get(0).get("configured").asBoolean());
        assertEquals("retrieval", data.get(1).get("name").asText());
        assertTrue(data.get(1).get("configured").asBoolean());
        assertEquals("openai", data.get(2).get("name").asText());
        assertTrue(data.get(2).get("configured").asBoolean());
        assertEquals("gpt-test", data.get(2).get("default_model").asText());
        assertEquals("anthropic", data.get(3).get("name").asText());
        assertFalse(data.get(3).get("configured").asBoolean());
        assertFalse(hub.call("GET", "/v1/assistant/providers", key, null).body().contains(PROVIDER_KEY));
        String agentLike = hub.key(hub.tenant("Readers"), "[\"conversations:read\"]");
        assertEquals(403, hub.call("GET", "/v1/assistant/providers", agentLike, null).statusCode());
    }

    @Test
    void samplingFieldsReachTheModelAndBareModelNamesFindTheirProvider() {
        llmAnswers();
        String key = hub.key(hub.tenant("Sampling"), "[\"chat\"]");
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"temperature\":0.2,\"top_p\":0.9,\"max_tokens\":50,\"stop\":[\"END\"],\"seed\":7,"
                + "\"presence_penalty\":0.5,\"frequency_penalty\":0.25,\"user\":\"u-1\",\"tool_choice\":\"auto\","
                + "\"response_format\":{\"type\":\"text\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("openai/gpt-4o-mini", json(r).get("model").asText());
        JsonNode upstream = json(llm.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                urlEqualTo("/v1/chat/completions"))).get(0).getBodyAsString());
        assertEquals("gpt-4o-mini", upstream.get("model").asText());
        assertEquals(0.2, upstream.get("temperature").asDouble());
        assertEquals(0.9, upstream.get("top_p").asDouble());
        assertEquals(50, upstream.path("max_completion_tokens").asInt(upstream.path("max_tokens").asInt()));
        assertEquals("[\"END\"]", upstream.get("stop").toString());
        assertEquals(7, upstream.get("seed").asInt());
        assertEquals(0.5, upstream.get("presence_penalty").asDouble());
        assertEquals(0.25, upstream.get("frequency_penalty").asDouble());
        assertEquals("u-1", upstream.get("user").asText());

        // what the hub cannot do is refused, naming the field, in OpenAI's shape
        for (String[] c : List.of(new String[] {"logprobs", "\"logprobs\":true"},
                new String[] {"functions", "\"functions\":[{\"name\":\"f\"}]"},
                new String[] {"temperature", "\"temperature\":3"},
                new String[] {"frobnicate", "\"frobnicate\":1"})) {
            HttpResponse<String> bad = hub.call("POST", "/v1/chat/completions", key, "{" + c[1]
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(400, bad.statusCode(), bad.body());
            assertEquals(c[0], json(bad).at("/error/param").asText(), bad.body());
            assertEquals("invalid_request_error", json(bad).at("/error/type").asText());
        }
    }

    @Test
    void modelsListsWhatTheTenantMayUse() {
        String key = hub.key(hub.tenant("Models"), "[\"chat\"]");
        JsonNode list = json(hub.call("GET", "/v1/models", key, null));
        assertEquals("list", list.get("object").asText());
        List<String> ids = new java.util.ArrayList<>();
        list.get("data").forEach(m -> ids.add(m.get("id").asText()));
        assertEquals(List.of("default", "retrieval", "all-minilm-l6-v2-q", "openai/gpt-test"), ids);
        assertEquals("model", list.at("/data/0/object").asText());
        assertEquals(200, hub.call("GET", "/v1/models/retrieval", key, null).statusCode());
        HttpResponse<String> missing = hub.call("GET", "/v1/models/nope", key, null);
        assertEquals(404, missing.statusCode());
        assertEquals("not_found_error", json(missing).at("/error/type").asText(), missing.body());
    }

    @Test
    void aTenantThatNeverChoseUsesTheHubsLlmAndOneThatChoseRetrievalKeepsIt() {
        llmAnswers();
        String never = hub.key(hub.tenant("Never chose"), "[\"chat\",\"tenant:admin\"]");
        assertEquals("auto", json(hub.call("GET", "/v1/tenant", never, null)).at("/settings/assistant/provider")
                .asText());
        assertEquals("openai/gpt-test", json(ask(hub, never, "default", false).body()).get("model").asText());
        String chose = hub.key(hub.tenant("Chose retrieval"), "[\"chat\",\"tenant:admin\"]");
        assertEquals(200, hub.call("PATCH", "/v1/tenant", chose,
                "{\"settings\":{\"assistant\":{\"provider\":\"retrieval\"}}}").statusCode());
        assertTrue(json(ask(hub, chose, "default", false).body()).get("model").asText().startsWith("retrieval/"));
    }

    private static void llmAnswers() {
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(STREAM)));
    }

    private static void llmFails() {
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)
                .withBody("{\"error\":{\"message\":\"upstream exploded\"}}")));
    }

    @Test
    void aRequestCanAskForTheProviderByName() {
        llmAnswers();
        String key = hub.key(hub.tenant("A"), "[\"chat\"]");
        JsonAnswer a = ask(hub, key, "openai/gpt-test", false);
        assertEquals(200, a.status(), a.body());
        assertEquals("From the LLM.", json(a.body()).at("/choices/0/message/content").asText());
        assertEquals("openai/gpt-test", json(a.body()).get("model").asText());
        assertEquals(16, json(a.body()).at("/usage/total_tokens").asInt());
    }

    @Test
    void aTenantConfiguredForTheProviderUsesItByDefaultAndStreams() {
        llmAnswers();
        String key = hub.key(hub.tenant("B"), "[\"chat\",\"tenant:admin\"]");
        assertEquals(200, hub.call("PATCH", "/v1/tenant", key,
                "{\"settings\":{\"assistant\":{\"provider\":\"openai\"}}}").statusCode());
        JsonAnswer a = ask(hub, key, "default", true);
        assertEquals(200, a.status(), a.body());
        assertTrue(a.body().contains("\"content\":\"From \""), a.body());
        assertTrue(a.body().endsWith("data: [DONE]\n\n"));
    }

    @Test
    void anIntentMappedToAModePutsThatModesPromptInFrontOfTheModel() {
        llmAnswers();
        String key = hub.key(hub.tenant("E"), "[\"chat\",\"tenant:admin\",\"knowledge:admin\"]");
        assertEquals(200, hub.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"system_prompt\":\"You work for"
                + " Acme.\",\"assistant\":{\"provider\":\"openai\"},\"mode_prompts\":{\"sales\":\"SALES MODE:"
                + " recommend the premium plan.\"}}}").statusCode());
        HttpResponse<String> intent = hub.call("POST", "/v1/intents", key, "{\"name\":\"purchase\",\"mode\":\"sales\","
                + "\"examples\":[\"I want to buy this\",\"how much does the premium plan cost\"]}");
        assertEquals(201, intent.statusCode(), intent.body());
        String session = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"How much is the premium subscription?\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        llm.verify(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.messages[0].content",
                        com.github.tomakehurst.wiremock.client.WireMock.containing("SALES MODE"))));
        String other = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        llm.resetRequests();
        hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + other
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather like?\"}]}");
        llm.verify(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.notContaining("SALES MODE")));
        JsonNode list = json(hub.call("GET", "/v1/intents", key, null));
        assertEquals("purchase", list.at("/data/0/name").asText());
        assertEquals(400, hub.call("POST", "/v1/intents", key, "{\"name\":\"No Spaces\",\"examples\":[\"x\"]}")
                .statusCode());
        assertEquals(204, hub.call("DELETE", "/v1/intents/" + list.at("/data/0/id").asText(), key, null)
                .statusCode());
    }

    @Test
    void relevantKnowledgeGoesIntoTheModelsContext() {
        llmAnswers();
        String key = hub.key(hub.tenant("K"), "[\"chat\",\"tenant:admin\",\"knowledge:admin\"]");
        hub.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"assistant\":{\"provider\":\"openai\"}}}");
        assertEquals(201, hub.call("POST", "/v1/knowledge/documents", key, "{\"title\":\"FAQ\",\"format\":\"faq\","
                + "\"content\":[{\"q\":\"What is the warranty?\",\"a\":\"Two years on all devices.\"}]}").statusCode());
        String session = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        assertEquals(200, hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"how long is the guarantee?\"}]}").statusCode());
        llm.verify(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("Two years on all devices.")));
    }

    @Test
    void routingRulesSendCodeToTheLlmAndTheRestToTheTenantsAssistant() {
        java.util.Map<String, String> env = new java.util.HashMap<>(Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-r",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", llm.baseUrl() + "/v1",
                "CLAWLESS_ASSISTANT_ROUTING", "code -> openai/gpt-test"));
        try (TestHub routed = TestHub.start(env)) {
            llmAnswers();
            String key = routed.key(routed.tenant("R"), "[\"chat\",\"tenant:admin\"]");
            // the tenant's own assistant is the retrieval one (a tenant left on auto would get the LLM)
            assertEquals(200, routed.call("PATCH", "/v1/tenant", key,
                    "{\"settings\":{\"assistant\":{\"provider\":\"retrieval\"}}}").statusCode());
            JsonAnswer plain = ask(routed, key, "default", false);
            assertTrue(json(plain.body()).get("model").asText().startsWith("retrieval/"), plain.body());
            llm.verify(0, com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo("/v1/chat/completions")));
            var code = routed.call("POST", "/v1/chat/completions", key, "{\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"fix this: ```int x = ;```\"}]}");
            assertEquals("openai/gpt-test", json(code).get("model").asText(), code.body());
            assertEquals("From the LLM.", json(code).at("/choices/0/message/content").asText());
        }
    }

    @Test
    void aProviderFailureWithNoFallbackIsA502ThatNamesItButNotItsKey() {
        llmFails();
        String key = hub.key(hub.tenant("C"), "[\"chat\"]");
        for (boolean stream : new boolean[] {false, true}) {
            JsonAnswer a = ask(hub, key, "openai/gpt-test", stream);
            assertEquals(502, a.status(), a.body());
            // OpenAI's error shape on an OpenAI route
            assertTrue(a.contentType().startsWith("application/json"), a.contentType());
            assertTrue(json(a.body()).at("/error/message").asText().contains("'openai'"), a.body());
            assertEquals("api_error", json(a.body()).at("/error/type").asText(), a.body());
            assertEquals("provider-failed", json(a.body()).at("/error/code").asText(), a.body());
            assertFalse(a.body().contains(PROVIDER_KEY));
        }
        assertFalse(logs.all().contains(PROVIDER_KEY), "the provider key never reaches the log");
    }

    @Test
    void withTheRetrievalFallbackAFailingProviderStillGetsAnAnswer() {
        llmFails();
        String key = hubWithFallback.key(hubWithFallback.tenant("D"), "[\"chat\"]");
        JsonAnswer a = ask(hubWithFallback, key, "openai/gpt-test", false);
        assertEquals(200, a.status(), a.body());
        assertTrue(json(a.body()).at("/choices/0/message/content").asText().contains("connect you with a person"),
                a.body());
    }

    @Test
    void aProvidersRateLimitReachesTheClientAs429WithItsRetryAfterInOpenAisShape() {
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "7").withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}")));
        String key = hub.key(hub.tenant("RateLimited"), "[\"chat\"]");
        for (boolean stream : new boolean[] {false, true}) {
            JsonAnswer a = ask(hub, key, "openai/gpt-test", stream);
            assertEquals(429, a.status(), a.body());
            assertEquals("7", a.retryAfter(), "the provider's Retry-After, stream=" + stream);
            assertTrue(a.contentType().startsWith("application/json"), a.contentType());
            JsonNode error = json(a.body()).get("error");
            assertEquals("rate_limit_error", error.get("type").asText(), a.body());
            assertEquals("provider-rate-limited", error.get("code").asText(), a.body());
            assertTrue(error.get("param").isNull(), a.body());
            assertTrue(error.get("message").asText().contains("'openai'"), a.body());
            assertFalse(a.body().contains("data:"), "no stream was started: " + a.body());
        }
    }

    @Test
    void aRateLimitWithoutRetryAfterGetsTheHubsDefault() {
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(429)
                .withBody("{\"error\":{\"message\":\"slow down\"}}")));
        String key = hub.key(hub.tenant("RateLimitedNoHeader"), "[\"chat\"]");
        JsonAnswer a = ask(hub, key, "openai/gpt-test", false);
        assertEquals(429, a.status(), a.body());
        assertEquals("5", a.retryAfter());
    }

    @Test
    void refusedProviderCredentialsAreA502SayingSoWithoutTheKey() {
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":{\"message\":\"Incorrect API key provided: " + PROVIDER_KEY + "\"}}")));
        String key = hub.key(hub.tenant("BadKey"), "[\"chat\"]");
        JsonAnswer a = ask(hub, key, "openai/gpt-test", false);
        assertEquals(502, a.status(), a.body());
        assertEquals("provider-credentials-refused", json(a.body()).at("/error/code").asText(), a.body());
        assertEquals("api_error", json(a.body()).at("/error/type").asText(), a.body());
        assertTrue(json(a.body()).at("/error/message").asText().contains("refused the hub's credentials"), a.body());
        assertFalse(a.body().contains(PROVIDER_KEY), a.body());
    }

    @Test
    void aRateLimitedProviderFallsBackBeforeTheClientSeesA429() {
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "7").withBody("{}")));
        String key = hubWithFallback.key(hubWithFallback.tenant("RateLimitedFallback"), "[\"chat\"]");
        JsonAnswer a = ask(hubWithFallback, key, "openai/gpt-test", false);
        assertEquals(200, a.status(), a.body());
        assertTrue(json(a.body()).at("/choices/0/message/content").asText().contains("connect you with a person"),
                "the retrieval fallback answered: " + a.body());
    }

    private record JsonAnswer(int status, String contentType, String body, String retryAfter) {
    }

    private static JsonAnswer ask(TestHub h, String key, String model, boolean stream) {
        HttpResponse<String> r = h.call("POST", "/v1/chat/completions", key, "{\"model\":\"" + model
                + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello?\"}]}");
        return new JsonAnswer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
                r.headers().firstValue("Retry-After").orElse(""));
    }
}
