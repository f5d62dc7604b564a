package dev.clawless.server.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official {@code openai} Node client (the console module's dev dependency) against a hub whose OpenAI provider
 * is WireMock, and against one without any LLM: what a developer's code sees, errors included
 * ({@code console/scripts/openai-client-check.mjs}).
 */
class OpenAiClientServerTest {

    private static final String STREAM = """
            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Three to five "},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"days."},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25}}

            data: [DONE]

            """;
    private static WireMockServer llm;
    private static TestHub withLlm;
    private static TestHub withoutLlm;

    @BeforeAll
    static void start() {
        llm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        llm.start();
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(STREAM)));
        // a request with the client's tools: the model calls get_weather; with its result: the model answers
        answer(1, matchingJsonPath("$.messages[?(@.role == 'tool')]"), ClientToolsServerTest.says(
                "It is sunny in Paris."));
        answer(2, matchingJsonPath("$.tools"), ClientToolsServerTest.CALLS_WEATHER);
        // a JSON schema reply the model gets right, and one it gets wrong
        answer(2, containing("Ada, 36"), ClientToolsServerTest.says("{\"name\":\"Ada\",\"age\":36}"));
        answer(2, containing("Bob, old"), ClientToolsServerTest.says("{\"name\":\"Bob\",\"age\":\"old\"}"));
        // the upstream rate-limits one request: the client must see the 429 with the upstream's Retry-After
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1).withRequestBody(containing("RATE LIMIT ME"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")
                        .withBody("{\"error\":{\"message\":\"Rate limit reached\"}}")));
        withLlm = TestHub.start(Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-upstream-0123",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", llm.baseUrl() + "/v1",
                "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-4o-mini"));
        withoutLlm = TestHub.start();
    }

    private static void answer(int priority, com.github.tomakehurst.wiremock.matching.StringValuePattern body,
                               String sse) {
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(priority).withRequestBody(body)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(sse)));
    }

    @AfterAll
    static void stop() {
        withLlm.close();
        withoutLlm.close();
        llm.stop();
    }

    /** Runs the client script against {@code hub} and answers what it printed. */
    private static JsonNode client(TestHub hub, String key, String model) throws IOException, InterruptedException {
        return script("scripts/openai-client-check.mjs", hub, key, model);
    }

    private static JsonNode script(String script, TestHub hub, String key, String model)
            throws IOException, InterruptedException {
        Path console = Path.of("..", "console").toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder("node", script).directory(console.toFile())
                .redirectErrorStream(false);
        pb.environment().put("HUB", hub.base() + "/v1");
        pb.environment().put("KEY", key);
        pb.environment().put("MODEL", model);
        Path err = Files.createTempFile("openai-client", ".log");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the client finished");
        assertEquals(0, p.exitValue(), out + Files.readString(err));
        return json(out.strip());
    }

    @Test
    void theOfficialNodeClientListsModelsChatsStreamsAndReadsEveryError() throws Exception {
        String key = withLlm.key(withLlm.tenant("Node client"), "[\"chat\"]");
        JsonNode seen = client(withLlm, key, "gpt-4o-mini");
        assertEquals("[\"default\",\"retrieval\",\"all-minilm-l6-v2-q\",\"openai/gpt-4o-mini\"]",
                seen.get("models").toString());
        assertEquals("openai/gpt-4o-mini", seen.at("/plain/model").asText());
        assertEquals("Three to five days.", seen.at("/plain/content").asText());
        assertEquals(25, seen.at("/plain/usage/total_tokens").asInt());
        assertEquals("Three to five days.", seen.at("/stream/content").asText());
        assertEquals(20, seen.at("/stream/usage/prompt_tokens").asInt(), seen.toString());
        // the sampling fields reached the upstream model
        LoggedRequest first = llm.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).get(0);
        JsonNode upstream = json(first.getBodyAsString());
        assertEquals(0.2, upstream.get("temperature").asDouble());
        assertEquals("[\"END\"]", upstream.get("stop").toString());
        assertEquals(7, upstream.get("seed").asInt());
        assertEquals("u-1", upstream.get("user").asText());
        // errors the client can read: its own classes, the hub's message, the field at fault
        assertEquals("AuthenticationError", seen.at("/wrongKey/name").asText(), seen.toString());
        assertEquals(401, seen.at("/wrongKey/status").asInt());
        assertTrue(!seen.at("/wrongKey/message").asText().contains("no body"), seen.toString());
        assertEquals("BadRequestError", seen.at("/logprobs/name").asText());
        assertEquals("logprobs", seen.at("/logprobs/param").asText());
        assertEquals("model", seen.at("/unknownProvider/param").asText(), seen.toString());
        assertEquals("NotFoundError", seen.at("/missingModel/name").asText());

        // the client's own tool: called by the model, returned to the client, plain and streamed
        assertEquals("tool_calls", seen.at("/toolCall/finish").asText(), seen.toString());
        assertTrue(seen.at("/toolCall/content").isNull());
        assertEquals("get_weather", seen.at("/toolCall/calls/0/function/name").asText());
        assertEquals("{\"city\":\"Paris\"}", seen.at("/toolCall/calls/0/function/arguments").asText());
        assertEquals("tool_calls", seen.at("/toolStream/finish").asText(), seen.toString());
        assertEquals("call_w1", seen.at("/toolStream/calls/0/id").asText());
        assertEquals("{\"city\":\"Paris\"}", seen.at("/toolStream/calls/0/function/arguments").asText());
        assertEquals(39, seen.at("/toolStream/usage/total_tokens").asInt());
        // runTools ran the function with the model's arguments and continued the turn with its result
        for (String run : List.of("runTools", "runToolsStream")) {
            assertEquals("It is sunny in Paris.", seen.at("/" + run + "/content").asText(), seen.toString());
            assertEquals("Paris", seen.at("/" + run + "/calledWith/0/city").asText());
            assertEquals("[\"user\",\"assistant\",\"tool\",\"assistant\"]", seen.at("/" + run + "/roles").toString());
        }
        JsonNode continued = null;
        for (LoggedRequest r : llm.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))) {
            JsonNode body = json(r.getBodyAsString());
            if (body.at("/messages/2/role").asText().equals("tool")) {
                continued = body;
            }
        }
        assertEquals("call_w1", continued.at("/messages/1/tool_calls/0/id").asText(), String.valueOf(continued));
        assertEquals("call_w1", continued.at("/messages/2/tool_call_id").asText());
        assertTrue(continued.at("/messages/2/content").asText().contains("sunny"));
        assertEquals("get_weather", continued.at("/tools/0/function/name").asText());
        // JSON: parsed by the client when the reply fits the schema; the hub's error when it does not
        assertEquals(36, seen.at("/jsonSchema/parsed/age").asInt(), seen.toString());
        assertEquals("InternalServerError", seen.at("/jsonSchemaMismatch/error/name").asText(), seen.toString());
        assertEquals(502, seen.at("/jsonSchemaMismatch/error/status").asInt());
        assertEquals("response_format_mismatch", seen.at("/jsonSchemaMismatch/error/code").asText());
        assertEquals("response_format", seen.at("/jsonSchemaMismatch/error/param").asText());
        assertTrue(seen.at("/jsonSchemaMismatch/error/message").asText().contains("age"), seen.toString());
        assertEquals(2, seen.at("/choices/count").asInt(), seen.toString());
        // the upstream's 429 reaches the client as its RateLimitError, with the upstream's Retry-After
        for (String run : List.of("rateLimited", "rateLimitedStream")) {
            assertEquals("RateLimitError", seen.at("/" + run + "/error/name").asText(), seen.toString());
            assertEquals(429, seen.at("/" + run + "/error/status").asInt());
            assertEquals("7", seen.at("/" + run + "/error/retryAfter").asText(), seen.toString());
            assertEquals("rate_limit_error", seen.at("/" + run + "/error/type").asText(), seen.toString());
            assertEquals("provider-rate-limited", seen.at("/" + run + "/error/code").asText());
        }
    }

    @Test
    void langChainJsWithItsDefaultsChatsStreamsAndEmbedsWithAndWithoutAnLlm() throws Exception {
        // LangChain's ChatOpenAI names no model: its default, gpt-3.5-turbo, goes to the hub's OpenAI provider
        JsonNode withModel = script("scripts/langchain-check.mjs", withLlm,
                withLlm.key(withLlm.tenant("LangChain"), "[\"chat\"]"), "");
        assertEquals("gpt-3.5-turbo", withModel.get("model").asText());
        assertEquals("Three to five days.", withModel.at("/invoke/content").asText(), withModel.toString());
        assertEquals("Three to five days.", withModel.get("stream").asText());
        assertEquals(384, withModel.at("/embeddings/dimensions").asInt());
        assertTrue(withModel.at("/embeddings/related").asDouble() > 0.5, withModel.toString());

        String tenant = withoutLlm.tenant("LangChain, no LLM");
        assertEquals(201, withoutLlm.call("POST", "/v1/knowledge/documents", withoutLlm.key(tenant,
                "[\"knowledge:admin\"]"), "{\"title\":\"FAQ\",\"format\":\"faq\",\"content\":[{\"q\":"
                + "\"When will my order arrive?\",\"a\":\"Orders arrive in 3 to 5 business days.\"}]}").statusCode());
        JsonNode retrieval = script("scripts/langchain-check.mjs", withoutLlm, withoutLlm.key(tenant,
                "[\"chat\"]"), "");
        assertEquals("Orders arrive in 3 to 5 business days.", retrieval.at("/invoke/content").asText(),
                retrieval.toString());
        assertEquals("Orders arrive in 3 to 5 business days.", retrieval.get("stream").asText());
    }

    @Test
    void withoutAnLlmTheSameCodeIsAnsweredByTheRetrievalAssistant() throws Exception {
        String tenant = withoutLlm.tenant("No LLM");
        String admin = withoutLlm.key(tenant, "[\"knowledge:admin\"]");
        assertEquals(201, withoutLlm.call("POST", "/v1/knowledge/documents", admin, "{\"title\":\"FAQ\",\"format\":"
                + "\"faq\",\"content\":[{\"q\":\"How long does shipping take?\",\"a\":\"Shipping takes 3 to 5"
                + " business days.\"}]}").statusCode());
        JsonNode seen = client(withoutLlm, withoutLlm.key(tenant, "[\"chat\"]"), "gpt-3.5-turbo");
        assertEquals("[\"default\",\"retrieval\",\"all-minilm-l6-v2-q\"]", seen.get("models").toString());
        // embeddings from the hub's own model, base64 as the client asks by default, decoded by it
        assertEquals("all-minilm-l6-v2-q", seen.at("/embeddings/model").asText());
        assertEquals(3, seen.at("/embeddings/count").asInt());
        assertEquals(384, seen.at("/embeddings/dimensions").asInt());
        assertTrue(seen.at("/embeddings/related").asDouble() > seen.at("/embeddings/unrelated").asDouble() + 0.2,
                seen.toString());
        assertTrue(seen.at("/embeddings/tokens").asInt() > 0);
        assertEquals("retrieval/all-minilm-l6-v2-q", seen.at("/plain/model").asText());
        assertEquals("Shipping takes 3 to 5 business days.", seen.at("/plain/content").asText());
        assertEquals("Shipping takes 3 to 5 business days.", seen.at("/stream/content").asText());
        assertTrue(seen.at("/stream/usage/completion_tokens").asInt() > 0, seen.toString());
        // the retrieval assistant cannot call tools nor write JSON, and says so naming the field
        for (String refused : List.of("toolCall", "toolStream", "runTools", "runToolsStream")) {
            assertEquals("BadRequestError", seen.at("/" + refused + "/error/name").asText(), seen.toString());
            assertEquals("tools", seen.at("/" + refused + "/error/param").asText(), refused);
            assertTrue(seen.at("/" + refused + "/error/message").asText().contains("needs an LLM provider"));
        }
        for (String refused : List.of("jsonSchema", "jsonSchemaMismatch")) {
            assertEquals("response_format", seen.at("/" + refused + "/error/param").asText(), seen.toString());
        }
        assertEquals(2, seen.at("/choices/count").asInt(), seen.toString());
        assertEquals("Shipping takes 3 to 5 business days.", seen.at("/choices/contents/1").asText());
    }
}
