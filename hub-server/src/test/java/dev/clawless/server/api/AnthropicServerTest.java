package dev.clawless.server.api;

import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hub whose LLM is Anthropic (WireMock speaking the Messages API's stream) with extended thinking on: the model
 * thinks first, the API client and the contact get the answer only, operators see the thinking on the reply.
 */
class AnthropicServerTest {

    private static final String THINKING = "The customer wants a greeting; keep it short.";
    private static final String STREAM = """
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

    private static WireMockServer anthropic;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        anthropic = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        anthropic.start();
        anthropic.stubFor(post(urlEqualTo("/v1/messages")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(STREAM)));
        hub = TestHub.start(Map.of("CLAWLESS_PROVIDERS_ANTHROPIC_API_KEY", "sk-ant-test-0123",
                "CLAWLESS_PROVIDERS_ANTHROPIC_BASE_URL", anthropic.baseUrl() + "/v1/",
                "CLAWLESS_PROVIDERS_ANTHROPIC_DEFAULT_MODEL", "claude-test",
                "CLAWLESS_PROVIDERS_ANTHROPIC_THINKING_BUDGET_TOKENS", "2048"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        anthropic.stop();
    }

    @Test
    void theModelThinksWithTheHubsBudgetAndTheApiAnswerCarriesNoThinking() {
        String key = hub.key(hub.tenant("Thinking API"), "[\"chat\"]");
        for (boolean stream : new boolean[] {false, true}) {
            anthropic.resetRequests();
            HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"anthropic/claude-test\","
                    + "\"stream\":" + stream + ",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                    + "{\"role\":\"user\",\"content\":\"Hello?\"}]}");
            assertEquals(200, r.statusCode(), r.body());
            if (stream) {
                assertTrue(r.body().contains("\"content\":\"Hello there!\""), r.body());
            } else {
                assertEquals("Hello there!", json(r.body()).at("/choices/0/message/content").asText(), r.body());
            }
            assertFalse(r.body().contains("keep it short"), "no thinking in the answer: " + r.body());
            JsonNode upstream = json(anthropic.findAll(postRequestedFor(urlEqualTo("/v1/messages"))).get(0)
                    .getBodyAsString());
            assertEquals("enabled", upstream.at("/thinking/type").asText(), upstream.toString());
            assertEquals(2048, upstream.at("/thinking/budget_tokens").asInt(), upstream.toString());
            // the system prompt is marked for Anthropic's prompt cache
            assertEquals("ephemeral", upstream.at("/system/0/cache_control/type").asText(), upstream.toString());
        }
    }

    @Test
    void aTenantSetsItsOwnThinkingBudgetOrTurnsThinkingOff() {
        String tenant = hub.tenant("Own budget");
        String key = hub.key(tenant, "[\"chat\",\"tenant:admin\"]");
        for (int budget : new int[] {8000, 0}) {
            HttpResponse<String> set = hub.call("PATCH", "/v1/tenant", key,
                    "{\"settings\":{\"assistant\":{\"thinking_budget_tokens\":" + budget + "}}}");
            assertEquals(200, set.statusCode(), set.body());
            assertEquals(budget, json(set).at("/settings/assistant/thinking_budget_tokens").asInt());
            anthropic.resetRequests();
            HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"anthropic/claude-test\","
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello?\"}]}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode upstream = json(anthropic.findAll(postRequestedFor(urlEqualTo("/v1/messages"))).get(0)
                    .getBodyAsString());
            if (budget == 0) {
                assertTrue(upstream.path("thinking").isMissingNode(), "thinking off: " + upstream);
            } else {
                assertEquals(8000, upstream.at("/thinking/budget_tokens").asInt(), upstream.toString());
                assertTrue(upstream.get("max_tokens").asInt() > 8000, "room to answer: " + upstream);
            }
        }
        // a forced tool call: Anthropic refuses thinking with it, so the model does not think
        hub.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"assistant\":{\"thinking_budget_tokens\":4096}}}");
        anthropic.resetRequests();
        hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"anthropic/claude-test\",\"tool_choice\":"
                + "\"required\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]}");
        JsonNode forced = json(anthropic.findAll(postRequestedFor(urlEqualTo("/v1/messages"))).get(0)
                .getBodyAsString());
        assertTrue(forced.path("thinking").isMissingNode(), "no thinking with a forced tool: " + forced);
        assertEquals("get_weather", forced.at("/tools/0/name").asText(), forced.toString());
        // back to the hub's budget; a budget Anthropic refuses is a 400 naming the field
        assertEquals(200, hub.call("PATCH", "/v1/tenant", key,
                "{\"settings\":{\"assistant\":{\"thinking_budget_tokens\":null}}}").statusCode());
        JsonNode bad = json(hub.call("PATCH", "/v1/tenant", key,
                "{\"settings\":{\"assistant\":{\"thinking_budget_tokens\":500}}}"));
        assertEquals("settings.assistant.thinking_budget_tokens", bad.at("/errors/0/field").asText(), bad.toString());
    }

    @Test
    void aSessionsReplyKeepsTheThinkingForOperatorsOnly() {
        String tenant = hub.tenant("Thinking session");
        String client = hub.key(tenant, "[\"chat\"]");
        String operator = hub.key(tenant, "[\"conversations:read\"]");
        String session = json(hub.call("POST", "/v1/sessions", client, null)).get("id").asText();
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", client, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello?\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("Hello there!", json(r.body()).at("/choices/0/message/content").asText(), r.body());
        assertFalse(r.body().contains("keep it short"), r.body());
        JsonNode reply = last(hub.call("GET", "/v1/conversations/" + session + "/messages", operator, null));
        assertEquals("Hello there!", reply.get("text").asText(), reply.toString());
        assertEquals(THINKING, reply.at("/metadata/thinking").asText(), "operators see the thinking: " + reply);
        JsonNode clientView = last(hub.call("GET", "/v1/sessions/" + session + "/messages", client, null));
        assertEquals("Hello there!", clientView.get("text").asText());
        assertTrue(clientView.at("/metadata/thinking").isMissingNode(), "API clients do not: " + clientView);
    }

    private static JsonNode last(HttpResponse<String> page) {
        assertEquals(200, page.statusCode(), page.body());
        JsonNode data = json(page).get("data");
        return data.get(data.size() - 1);
    }
}
