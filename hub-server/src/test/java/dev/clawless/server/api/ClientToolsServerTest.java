package dev.clawless.server.api;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client-defined tools, JSON replies and several choices on {@code /v1/chat/completions}, against a hub whose OpenAI
 * provider is WireMock: what reaches the upstream model, what comes back to the client (plain and streamed), and
 * what the retrieval assistant refuses.
 */
class ClientToolsServerTest {

    private static final String WEATHER_TOOL = """
            {"type":"function","function":{"name":"get_weather","description":"The weather in a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string","minLength":1},
             "unit":{"type":"string","enum":["c","f"]}},"required":["city"],"additionalProperties":false}}}""";
    private static final String TIME_TOOL = """
            {"type":"function","function":{"name":"getTime","strict":true,"parameters":{"type":"object",
             "properties":{"zone":{"type":"string"}},"required":["zone"],"additionalProperties":false}}}""";
    private static final String ASK = "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]";

    private static WireMockServer llm;
    private static TestHub hub;
    private static String key;

    @BeforeAll
    static void start() {
        llm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        llm.start();
        hub = TestHub.start(Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-upstream-0123",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", llm.baseUrl() + "/v1",
                "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-4o-mini"));
        key = hub.key(hub.tenant("Tools"), "[\"chat\"]");
    }

    @AfterAll
    static void stop() {
        hub.close();
        llm.stop();
    }

    @BeforeEach
    void reset() {
        llm.resetAll();
    }

    /** An upstream answer as OpenAI streams it: the given chunks' choices, then a usage chunk and [DONE]. */
    static String sse(String... deltas) {
        StringBuilder out = new StringBuilder();
        for (String d : deltas) {
            out.append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":"
                    + "\"gpt-4o-mini\",\"choices\":[").append(d).append("]}\n\n");
        }
        out.append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":9,\"total_tokens\":39}}\n\n");
        out.append("data: [DONE]\n\n");
        return out.toString();
    }

    /** The model calls get_weather({"city":"Paris"}), its arguments in two pieces, as OpenAI streams them. */
    static final String CALLS_WEATHER = sse(
            "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":"
                    + "\"call_w1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},"
                    + "\"finish_reason\":null}",
            "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]},"
                    + "\"finish_reason\":null}",
            "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]},"
                    + "\"finish_reason\":null}",
            "{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}");

    /** The model answers {@code text} in two pieces. */
    static String says(String text) {
        int half = text.length() / 2;
        return sse("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}",
                "{\"index\":0,\"delta\":{\"content\":" + quote(text.substring(0, half)) + "},\"finish_reason\":null}",
                "{\"index\":0,\"delta\":{\"content\":" + quote(text.substring(half)) + "},\"finish_reason\":null}",
                "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}");
    }

    static String quote(String text) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString();
    }

    private static void upstream(String bodyContains, String sse) {
        llm.stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(bodyContains))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(sse)));
    }

    private static List<JsonNode> upstreamBodies() {
        List<JsonNode> out = new ArrayList<>();
        for (LoggedRequest r : llm.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))) {
            out.add(json(r.getBodyAsString()));
        }
        return out;
    }

    @Test
    void theModelsCallOfAClientToolGoesBackToTheClientWithTheToolsChoiceAndSchemaPassedUpstream() {
        upstream("get_weather", CALLS_WEATHER);
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"tools\":[" + WEATHER_TOOL + "," + TIME_TOOL + "],\"tool_choice\":\"auto\","
                + "\"parallel_tool_calls\":false," + ASK + "}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode choice = json(r).at("/choices/0");
        assertEquals("tool_calls", choice.get("finish_reason").asText());
        assertTrue(choice.at("/message/content").isNull(), r.body());
        JsonNode call = choice.at("/message/tool_calls/0");
        assertEquals("call_w1", call.get("id").asText());
        assertEquals("function", call.get("type").asText());
        assertEquals("get_weather", call.at("/function/name").asText());
        assertEquals("{\"city\":\"Paris\"}", call.at("/function/arguments").asText());
        assertEquals(39, json(r).at("/usage/total_tokens").asInt());

        JsonNode up = upstreamBodies().get(0);
        assertEquals("auto", up.get("tool_choice").asText(), up.toString());
        assertFalse(up.get("parallel_tool_calls").asBoolean());
        assertEquals(2, up.get("tools").size());
        JsonNode weather = up.at("/tools/0/function");
        assertEquals("get_weather", weather.get("name").asText());
        assertEquals("The weather in a city", weather.get("description").asText());
        // the client's schema as written: minLength, the enum and required survive
        assertEquals(1, weather.at("/parameters/properties/city/minLength").asInt(), weather.toString());
        assertEquals("[\"c\",\"f\"]", weather.at("/parameters/properties/unit/enum").toString());
        assertEquals("[\"city\"]", weather.at("/parameters/required").toString());
        JsonNode time = up.at("/tools/1/function");
        assertEquals("getTime", time.get("name").asText());
        assertTrue(time.get("strict").asBoolean(), time.toString());
        assertFalse(time.at("/parameters/additionalProperties").asBoolean(true));
    }

    @Test
    void aStreamedToolCallArrivesAsDeltaToolCallsWithFinishReasonToolCalls() {
        upstream("get_weather", CALLS_WEATHER);
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"tools\":[" + WEATHER_TOOL + "],"
                + ASK + "}");
        assertEquals(200, r.statusCode(), r.body());
        String[] events = r.body().split("\n\n");
        assertEquals("data: [DONE]", events[events.length - 1]);
        StringBuilder arguments = new StringBuilder();
        String id = "";
        String name = "";
        String finish = "";
        JsonNode usage = null;
        for (String e : events) {
            if (e.equals("data: [DONE]")) {
                continue;
            }
            JsonNode chunk = json(e.substring(6));
            if (chunk.has("usage")) {
                usage = chunk;
                continue;
            }
            JsonNode tc = chunk.at("/choices/0/delta/tool_calls/0");
            if (!tc.isMissingNode()) {
                assertEquals(0, tc.get("index").asInt());
                id = tc.path("id").asText(id);
                name = tc.at("/function/name").asText(name);
                arguments.append(tc.at("/function/arguments").asText());
            }
            if (chunk.at("/choices/0/finish_reason").isTextual()) {
                finish = chunk.at("/choices/0/finish_reason").asText();
            }
        }
        assertEquals("call_w1", id);
        assertEquals("get_weather", name);
        assertEquals("{\"city\":\"Paris\"}", arguments.toString());
        assertEquals("tool_calls", finish);
        // include_usage: a last chunk with usage and no choices, as OpenAI sends it
        assertEquals(39, usage.at("/usage/total_tokens").asInt(), r.body());
        assertEquals(30, usage.at("/usage/prompt_tokens").asInt());
        assertEquals(9, usage.at("/usage/completion_tokens").asInt());
        assertEquals(0, usage.get("choices").size());
    }

    @Test
    void theClientsToolResultContinuesTheTurn() {
        llm.stubFor(post(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(matchingJsonPath("$.messages[?(@.role == 'tool')]"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(says("It is sunny in Paris."))));
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"tools\":[" + WEATHER_TOOL + "],\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_w1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_w1\",\"content\":\"sunny, 24 C\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("It is sunny in Paris.", json(r).at("/choices/0/message/content").asText());
        assertEquals("stop", json(r).at("/choices/0/finish_reason").asText());
        JsonNode messages = upstreamBodies().get(0).get("messages");
        assertEquals("assistant", messages.get(1).get("role").asText());
        assertEquals("call_w1", messages.at("/1/tool_calls/0/id").asText(), messages.toString());
        assertEquals("get_weather", messages.at("/1/tool_calls/0/function/name").asText());
        assertEquals("{\"city\":\"Paris\"}", messages.at("/1/tool_calls/0/function/arguments").asText());
        assertEquals("tool", messages.get(2).get("role").asText());
        assertEquals("call_w1", messages.get(2).get("tool_call_id").asText());
        assertEquals("sunny, 24 C", messages.get(2).get("content").asText());

        // a tool message must answer a call the conversation made
        HttpResponse<String> orphan = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"tool\",\"tool_call_id\":\"call_x\","
                + "\"content\":\"y\"}]}");
        assertEquals(400, orphan.statusCode(), orphan.body());
        assertEquals("messages[1].tool_call_id", json(orphan).at("/error/param").asText());
    }

    @Test
    void aForcedFunctionIsTheOneToolTheModelMustCall() {
        upstream("get_weather", CALLS_WEATHER);
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"tools\":[" + WEATHER_TOOL + "," + TIME_TOOL + "],\"tool_choice\":{\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\"}}," + ASK + "}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode up = upstreamBodies().get(0);
        assertEquals("required", up.get("tool_choice").asText(), up.toString());
        assertEquals(1, up.get("tools").size());
        assertEquals("get_weather", up.at("/tools/0/function/name").asText());
        for (String[] bad : List.of(
                new String[] {"tool_choice", "\"tools\":[" + TIME_TOOL + "],\"tool_choice\":{\"type\":\"function\","
                        + "\"function\":{\"name\":\"nope\"}}"},
                new String[] {"tool_choice", "\"tool_choice\":\"required\""},
                new String[] {"tools[0].function.name", "\"tools\":[{\"type\":\"function\",\"function\":"
                        + "{\"name\":\"bad name!\"}}]"},
                new String[] {"tools[0].function.parameters", "\"tools\":[{\"type\":\"function\",\"function\":"
                        + "{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":5}}}}}]"},
                new String[] {"functions", "\"functions\":[{\"name\":\"f\"}]"})) {
            HttpResponse<String> refused = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                    + bad[1] + "," + ASK + "}");
            assertEquals(400, refused.statusCode(), refused.body());
            assertEquals(bad[0], json(refused).at("/error/param").asText(), refused.body());
            assertEquals("invalid_request_error", json(refused).at("/error/type").asText());
        }
    }

    private static final String PERSON = "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"person\",\"strict\":true,"
            + "\"schema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":"
            + "\"integer\",\"minimum\":0}},\"required\":[\"name\",\"age\"],\"additionalProperties\":false}}}";

    @Test
    void aJsonSchemaReplyIsPassedUpstreamAndCheckedOnTheWayBack() {
        upstream("Ada", says("{\"name\":\"Ada\",\"age\":36}"));
        upstream("Bob", says("{\"name\":\"Bob\",\"age\":\"old\"}"));
        upstream("Cy", says("Sure! Here is the JSON: {\"name\":\"Cy\"}"));
        HttpResponse<String> ok = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"response_format\":" + PERSON + ",\"messages\":[{\"role\":\"user\",\"content\":\"Ada, 36\"}]}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(36, json(json(ok).at("/choices/0/message/content").asText()).get("age").asInt());
        JsonNode up = upstreamBodies().get(0).get("response_format");
        assertEquals("json_schema", up.get("type").asText(), up.toString());
        assertEquals("person", up.at("/json_schema/name").asText());
        assertTrue(up.at("/json_schema/strict").asBoolean(), up.toString());
        assertEquals(0, up.at("/json_schema/schema/properties/age/minimum").asInt(), up.toString());

        HttpResponse<String> wrongType = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"response_format\":" + PERSON + ",\"messages\":[{\"role\":\"user\",\"content\":\"Bob, old\"}]}");
        assertEquals(502, wrongType.statusCode(), wrongType.body());
        JsonNode error = json(wrongType).get("error");
        assertEquals("api_error", error.get("type").asText());
        assertEquals("response_format_mismatch", error.get("code").asText());
        assertEquals("response_format", error.get("param").asText());
        assertTrue(error.get("message").asText().contains("person") && error.get("message").asText().contains("age"),
                error.toString());

        // streamed, a JSON reply is held back until checked: the client never sees text that fails the format
        HttpResponse<String> prose = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"stream\":true,\"response_format\":{\"type\":\"json_object\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Cy\"}]}");
        assertEquals(502, prose.statusCode(), prose.body());
        assertFalse(prose.body().contains("Sure!"), prose.body());
        assertTrue(json(prose).at("/error/message").asText().contains("not JSON"), prose.body());
        assertEquals("json_object", upstreamBodies().get(2).at("/response_format/type").asText());

        HttpResponse<String> streamedOk = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"stream\":true,\"response_format\":{\"type\":\"json_object\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Ada\"}]}");
        assertEquals(200, streamedOk.statusCode());
        assertTrue(streamedOk.body().contains("\"content\":\"{\\\"name\\\":\\\"Ada\\\",\\\"age\\\":36}\""),
                streamedOk.body());

        HttpResponse<String> badSchema = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":"
                + "{\"type\":\"thing\"}}}," + ASK + "}");
        assertEquals(400, badSchema.statusCode(), badSchema.body());
        assertEquals("response_format", json(badSchema).at("/error/param").asText());
    }

    @Test
    void nChoicesAreNAnswersOfTheModel() {
        upstream("Paris", says("Sunny."));
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"model\":\"gpt-4o-mini\","
                + "\"n\":3," + ASK + "}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode choices = json(r).get("choices");
        assertEquals(3, choices.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, choices.get(i).get("index").asInt());
            assertEquals("Sunny.", choices.get(i).at("/message/content").asText());
        }
        assertEquals(3, upstreamBodies().size());
        assertEquals(3 * 39, json(r).at("/usage/total_tokens").asInt());
        HttpResponse<String> streamed = hub.call("POST", "/v1/chat/completions", key, "{\"stream\":true,\"n\":2,"
                + ASK + "}");
        assertEquals(400, streamed.statusCode());
        assertEquals("n", json(streamed).at("/error/param").asText());
        HttpResponse<String> many = hub.call("POST", "/v1/chat/completions", key, "{\"n\":9," + ASK + "}");
        assertEquals(400, many.statusCode());
    }

    @Test
    void theRetrievalAssistantRefusesToolsAndJsonNamingTheField() {
        String tenant = hub.tenant("Retrieval only");
        String admin = hub.key(tenant, "[\"chat\",\"tenant:admin\"]");
        assertEquals(200, hub.call("PATCH", "/v1/tenant", admin,
                "{\"settings\":{\"assistant\":{\"provider\":\"retrieval\"}}}").statusCode());
        HttpResponse<String> tools = hub.call("POST", "/v1/chat/completions", admin, "{\"tools\":[" + WEATHER_TOOL
                + "]," + ASK + "}");
        assertEquals(400, tools.statusCode(), tools.body());
        assertEquals("tools", json(tools).at("/error/param").asText());
        assertTrue(json(tools).at("/error/message").asText().contains("tool calling needs an LLM provider"));
        HttpResponse<String> format = hub.call("POST", "/v1/chat/completions", admin, "{\"model\":\"retrieval\","
                + "\"response_format\":{\"type\":\"json_object\"}," + ASK + "}");
        assertEquals(400, format.statusCode(), format.body());
        assertEquals("response_format", json(format).at("/error/param").asText());
        assertEquals(0, upstreamBodies().size(), "no model was asked");
    }

    @Test
    void aSessionTurnRunsTheHubsOwnToolsSoItRefusesTheClients() {
        HttpResponse<String> opened = hub.call("POST", "/v1/sessions", key, "{}");
        assertEquals(201, opened.statusCode(), opened.body());
        String session = json(opened).get("id").asText();
        for (String[] c : List.of(new String[] {"tools", "\"tools\":[" + WEATHER_TOOL + "]"},
                new String[] {"response_format", "\"response_format\":{\"type\":\"json_object\"}"},
                new String[] {"n", "\"n\":2"})) {
            HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                    + "\"," + c[1] + "," + ASK + "}");
            assertEquals(400, r.statusCode(), r.body());
            assertEquals(c[0], json(r).at("/error/param").asText(), r.body());
            assertTrue(json(r).at("/error/message").asText().contains("session_id"), r.body());
        }
        assertEquals(0, upstreamBodies().size(), "no model was asked");
    }
}
