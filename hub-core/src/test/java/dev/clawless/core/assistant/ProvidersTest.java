package dev.clawless.core.assistant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.core.common.ClawlessException;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LLM providers against WireMock speaking each platform's streaming wire format. */
class ProvidersTest {

    private static final String KEY = "sk-test-secret-key-123";
    private static WireMockServer fake;

    private static final String OPENAI_STREAM = """
            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":"lo!"},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":2,"total_tokens":13}}

            data: [DONE]

            """;

    private static final String ANTHROPIC_STREAM = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Bonjour"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" !"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}

            event: message_stop
            data: {"type":"message_stop"}

            """;

    /** Anthropic's stream with extended thinking: a thinking block (thinking and signature deltas), then the text. */
    static final String ANTHROPIC_THINKING_STREAM = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The customer wants a greeting; "}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"keep it short."}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hello there!"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":40}}

            event: message_stop
            data: {"type":"message_stop"}

            """;

    private static final String OLLAMA_STREAM = """
            {"model":"llama-test","created_at":"2026-11-22T00:00:00Z","message":{"role":"assistant","content":"Ho"},"done":false}
            {"model":"llama-test","created_at":"2026-11-22T00:00:00Z","message":{"role":"assistant","content":"la"},"done":false}
            {"model":"llama-test","created_at":"2026-11-22T00:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":7,"eval_count":2}
            """;

    @BeforeAll
    static void start() {
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
    }

    @AfterAll
    static void stop() {
        fake.stop();
    }

    @BeforeEach
    void reset() {
        fake.resetAll();
    }

    private static LangChainProvider openAi(Duration timeout) {
        return LangChainProvider.openAi(new LangChainProvider.Settings("openai", fake.baseUrl() + "/v1",
                Optional.of(KEY), "gpt-test", timeout));
    }

    private static LangChainProvider ollama() {
        return LangChainProvider.ollama(new LangChainProvider.Settings("ollama", fake.baseUrl(), Optional.empty(),
                "llama-test", Duration.ofSeconds(10)));
    }

    private static AssistantRequest request(String model) {
        return new AssistantRequest("ten_x", model, List.of(new ChatMessage(ChatMessage.Role.SYSTEM, "Be brief."),
                new ChatMessage(ChatMessage.Role.USER, "Say hello")));
    }

    @Test
    void openAiStreamsDeltasAndReportsItsTokenCounts() {
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(OPENAI_STREAM)));
        List<String> deltas = new ArrayList<>();
        Completion c = openAi(Duration.ofSeconds(10)).complete(request("gpt-test"), deltas::add);
        assertEquals(List.of("Hel", "lo!"), deltas);
        assertEquals("Hello!", c.text());
        assertEquals(11, c.tokensIn());
        assertEquals(2, c.tokensOut());
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer " + KEY))
                .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-test")))
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .withRequestBody(matchingJsonPath("$.messages[0].content", equalTo("Be brief."))));
    }

    @Test
    void anthropicStreamsDeltas() throws Exception {
        fake.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(ANTHROPIC_STREAM)));
        LangChainProvider anthropic = LangChainProvider.anthropic(new LangChainProvider.Settings("anthropic",
                fake.baseUrl() + "/v1/", Optional.of(KEY), "claude-test", Duration.ofSeconds(10)));
        List<String> deltas = new ArrayList<>();
        Completion c = anthropic.complete(request("claude-test"), deltas::add);
        assertEquals("Bonjour !", c.text());
        assertEquals(List.of("Bonjour", " !"), deltas);
        assertEquals(9, c.tokensIn());
        assertEquals("", c.thinking());
        fake.verify(postRequestedFor(urlEqualTo("/v1/messages")).withHeader("x-api-key", equalTo(KEY)));
        // the system prompt is marked for Anthropic's prompt cache; no thinking unless the hub sets a budget
        String body = fake.findAll(postRequestedFor(urlEqualTo("/v1/messages"))).get(0).getBodyAsString();
        JsonNode json = new ObjectMapper().readTree(body);
        assertEquals("Be brief.", json.at("/system/0/text").asText(), body);
        assertEquals("ephemeral", json.at("/system/0/cache_control/type").asText(), body);
        assertTrue(json.path("thinking").isMissingNode(), body);
        assertEquals(1024, json.path("max_tokens").asInt(), body);
    }

    @Test
    void anthropicWithAThinkingBudgetThinksFirstAndKeepsTheThinkingOutOfTheAnswer() throws Exception {
        fake.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(ANTHROPIC_THINKING_STREAM)));
        LangChainProvider anthropic = LangChainProvider.anthropic(new LangChainProvider.Settings("anthropic",
                fake.baseUrl() + "/v1/", Optional.of(KEY), "claude-test", Duration.ofSeconds(10), 2048));
        List<String> deltas = new ArrayList<>();
        Completion c = anthropic.complete(request("claude-test"), deltas::add);
        assertEquals(List.of("Hello there!"), deltas, "only the answer's text is streamed");
        assertEquals("Hello there!", c.text());
        assertEquals("The customer wants a greeting; keep it short.", c.thinking());
        String body = fake.findAll(postRequestedFor(urlEqualTo("/v1/messages"))).get(0).getBodyAsString();
        JsonNode json = new ObjectMapper().readTree(body);
        assertEquals("enabled", json.at("/thinking/type").asText(), body);
        assertEquals(2048, json.at("/thinking/budget_tokens").asInt(), body);
        assertEquals(1024 + 2048, json.path("max_tokens").asInt(), "the answer's tokens come on top: " + body);
    }

    @Test
    void anthropicDoesNotThinkWhenItContinuesAToolTurnOrTheClientSetATemperature() throws Exception {
        fake.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(ANTHROPIC_STREAM)));
        LangChainProvider anthropic = LangChainProvider.anthropic(new LangChainProvider.Settings("anthropic",
                fake.baseUrl() + "/v1/", Optional.of(KEY), "claude-test", Duration.ofSeconds(10), 2048));
        dev.clawless.plugin.api.ToolCall call = new dev.clawless.plugin.api.ToolCall("toolu_1", "lookup_order",
                "{\"id\":\"42\"}");
        // Anthropic wants an earlier thinking block back (with its signature) to think on in a tool turn
        AssistantRequest continuing = new AssistantRequest("ten_x", "claude-test", List.of(
                new ChatMessage(ChatMessage.Role.USER, "Where is order 42?"), ChatMessage.toolCalls("", List.of(call)),
                ChatMessage.toolResult(call, "shipped")));
        AssistantRequest warm = new AssistantRequest("ten_x", "claude-test", request("claude-test").messages(),
                List.of(), new Sampling(Optional.of(0.2), Optional.empty(), Optional.empty(), List.of(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        for (AssistantRequest r : List.of(continuing, warm)) {
            fake.resetRequests();
            assertEquals("Bonjour !", anthropic.complete(r, d -> { }).text());
            String body = fake.findAll(postRequestedFor(urlEqualTo("/v1/messages"))).get(0).getBodyAsString();
            assertTrue(new ObjectMapper().readTree(body).path("thinking").isMissingNode(), body);
        }
    }

    @Test
    void ollamaStreamsDeltas() {
        fake.stubFor(post(urlEqualTo("/api/chat")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-ndjson").withBody(OLLAMA_STREAM)));
        List<String> deltas = new ArrayList<>();
        Completion c = ollama().complete(request("llama-test"), deltas::add);
        assertEquals("Hola", c.text());
        assertEquals(List.of("Ho", "la"), deltas);
    }

    @Test
    void aFailingProviderFallsBackToTheNextInTheChain() {
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)
                .withBody("{\"error\":{\"message\":\"overloaded\"}}")));
        fake.stubFor(post(urlEqualTo("/api/chat")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-ndjson").withBody(OLLAMA_STREAM)));
        AssistantRuntime runtime = new AssistantRuntime(List.of(openAi(Duration.ofSeconds(10)), ollama()),
                List.of("ollama"));
        AssistantRuntime.Target target = new AssistantRuntime.Target(runtime.providersForTest("openai"), "gpt-test");
        Completion c = runtime.complete(target, request("gpt-test"), d -> { });
        assertEquals("ollama", c.provider());
        assertEquals("Hola", c.text());
    }

    @Test
    void withNoFallbackLeftTheFailureIsA502NamingTheProviderWithoutItsKey() {
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)
                .withBody("{\"error\":{\"message\":\"exploded for " + KEY + "\"}}")));
        AssistantRuntime runtime = new AssistantRuntime(List.of(openAi(Duration.ofSeconds(10))), List.of());
        ClawlessException.BadGateway e = assertThrows(ClawlessException.BadGateway.class, () -> runtime.complete(
                new AssistantRuntime.Target(runtime.providersForTest("openai"), "gpt-test"), request("gpt-test"),
                d -> { }));
        assertEquals(502, e.status());
        assertTrue(e.detail().contains("'openai'"), e.detail());
        assertFalse(e.detail().contains(KEY), e.detail());
    }

    @Test
    void withNoFallbackLeftARateLimitStaysA429WithTheProvidersRetryAfter() {
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "20").withBody("{\"error\":{\"message\":\"rate limited for " + KEY + "\"}}")));
        AssistantRuntime runtime = new AssistantRuntime(List.of(openAi(Duration.ofSeconds(10))), List.of());
        ClawlessException.TooManyRequests e = assertThrows(ClawlessException.TooManyRequests.class,
                () -> runtime.complete(new AssistantRuntime.Target(runtime.providersForTest("openai"), "gpt-test"),
                        request("gpt-test"), d -> { }));
        assertEquals(429, e.status());
        assertEquals(20, e.retryAfterSeconds());
        assertTrue(e.detail().contains("'openai'"), e.detail());
        assertFalse(e.detail().contains(KEY), e.detail());
    }

    @Test
    void aProviderThatDoesNotAnswerInTimeFails() {
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withFixedDelay(3000).withHeader("Content-Type", "text/event-stream").withBody(OPENAI_STREAM)));
        ProviderException e = assertThrows(ProviderException.class, () -> openAi(Duration.ofSeconds(1))
                .complete(request("gpt-test"), d -> { }));
        assertEquals("openai", e.provider());
    }
}
