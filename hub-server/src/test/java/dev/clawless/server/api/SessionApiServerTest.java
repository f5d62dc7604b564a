package dev.clawless.server.api;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions: chat completions with {@code session_id} run as assistant-turn jobs and keep the history. */
class SessionApiServerTest {

    private static TestHub hub;
    private static String key;

    @BeforeAll
    static void start() {
        hub = TestHub.start();
        key = hub.key(hub.tenant("Shop"), "[\"chat\",\"knowledge:admin\"]");
        assertEquals(201, hub.call("POST", "/v1/knowledge/documents", key, """
                {"title": "FAQ", "format": "faq", "content": [
                  {"q": "When will my order arrive?", "a": "Orders arrive within 3-5 business days."},
                  {"q": "Can I return an item?", "a": "Yes, within 30 days for a full refund."}]}""").statusCode());
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static String chat(String session, String text, boolean stream) {
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        if (!stream) {
            return json(r).at("/choices/0/message/content").asText();
        }
        StringBuilder text2 = new StringBuilder();
        for (String event : r.body().split("\n\n")) {
            if (!event.equals("data: [DONE]")) {
                text2.append(json(event.substring(6)).at("/choices/0/delta/content").asText(""));
            }
        }
        assertTrue(r.body().endsWith("data: [DONE]\n\n"));
        return text2.toString();
    }

    @Test
    void aSessionKeepsItsHistoryAndAnswersThroughTheJobQueue() {
        HttpResponse<String> opened = hub.call("POST", "/v1/sessions", key,
                "{\"title\":\"Support\",\"metadata\":{\"customer\":\"42\"}}");
        assertEquals(201, opened.statusCode(), opened.body());
        String id = json(opened).get("id").asText();
        assertEquals("42", json(opened).at("/metadata/customer").asText());

        assertEquals("Orders arrive within 3-5 business days.", chat(id, "when does my parcel arrive?", false));
        assertEquals("Yes, within 30 days for a full refund.", chat(id, "can I send it back?", true));

        JsonNode messages = json(hub.call("GET", "/v1/sessions/" + id + "/messages", key, null)).get("data");
        List<String> roles = new ArrayList<>();
        messages.forEach(m -> roles.add(m.get("role").asText()));
        assertEquals(List.of("user", "assistant", "user", "assistant"), roles);
        assertEquals("retrieval", messages.get(1).at("/metadata/provider").asText());
        assertTrue(hub.call("GET", "/v1/sessions", key, null).body().contains(id));

        assertEquals(204, hub.call("POST", "/v1/sessions/" + id + "/reset", key, null).statusCode());
        assertEquals(0, json(hub.call("GET", "/v1/sessions/" + id + "/messages", key, null)).get("data").size());
        assertEquals(204, hub.call("DELETE", "/v1/sessions/" + id, key, null).statusCode());
        assertEquals(404, hub.call("GET", "/v1/sessions/" + id, key, null).statusCode());
    }

    @Test
    void anotherTenantsSessionIsNotFound() {
        String id = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        String other = hub.key(hub.tenant("Other"), "[\"chat\"]");
        assertEquals(404, hub.call("GET", "/v1/sessions/" + id, other, null).statusCode());
        HttpResponse<String> r = hub.call("POST", "/v1/chat/completions", other, "{\"session_id\":\"" + id
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(404, r.statusCode());
        assertEquals("session_id", json(r).at("/error/param").asText());
        assertEquals(400, hub.call("POST", "/v1/sessions", key, "{\"metadata\":{\"a\":1}}").statusCode());
    }
}
