package dev.clawless.server.api;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

/** Conversations over HTTP: status, operator replies, and the event stream with Last-Event-ID replay. */
class ConversationApiServerTest {

    private static TestHub hub;
    private static String key;

    @BeforeAll
    static void start() {
        hub = TestHub.start();
        key = hub.key(hub.tenant("Ops"), "[\"chat\",\"conversations:read\",\"conversations:write\"]");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static String session() {
        return json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
    }

    private static HttpResponse<String> chat(String session, String text) {
        return hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
    }

    @Test
    void aHumanTakesOverRepliesAndHandsBack() {
        String id = session();
        assertEquals(200, chat(id, "hi").statusCode());
        assertTrue(hub.call("GET", "/v1/conversations?channel=api&status=bot", key, null).body().contains(id));

        JsonNode human = json(hub.call("PATCH", "/v1/conversations/" + id, key, "{\"status\":\"human\"}"));
        assertEquals("human", human.get("status").asText());
        assertEquals(409, chat(id, "anyone there?").statusCode(), "the assistant is silent while a human has it");

        HttpResponse<String> operator = hub.call("POST", "/v1/conversations/" + id + "/messages", key,
                "{\"text\":\"Hi, I'm Sam from support.\",\"role\":\"operator\"}");
        assertEquals(201, operator.statusCode(), operator.body());
        assertEquals("operator", json(operator).get("role").asText());

        List<String> roles = new ArrayList<>();
        json(hub.call("GET", "/v1/conversations/" + id + "/messages", key, null)).get("data")
                .forEach(m -> roles.add(m.get("role").asText()));
        assertEquals(List.of("user", "assistant", "operator"), roles);

        assertEquals("bot", json(hub.call("PATCH", "/v1/conversations/" + id, key, "{\"status\":\"bot\"}"))
                .get("status").asText());
        assertEquals(200, chat(id, "thanks").statusCode());
        assertEquals(400, hub.call("PATCH", "/v1/conversations/" + id, key, "{\"status\":\"gone\"}").statusCode());
    }

    @Test
    void theEventStreamReplaysAfterLastEventIdAndDeliversNewEvents() throws Exception {
        String id = session();
        assertEquals(200, chat(id, "first question").statusCode());
        List<String[]> replay = readEvents(id, "0", 3);
        assertEquals("conversation.created", replay.get(0)[1]);
        assertEquals(id, json(replay.get(0)[2]).get("id").asText());
        assertEquals("message.created", replay.get(1)[1]);
        assertEquals("user", json(replay.get(1)[2]).get("role").asText());
        assertEquals("assistant", json(replay.get(2)[2]).get("role").asText());
        String lastId = replay.get(2)[0];

        Thread operator = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            hub.call("POST", "/v1/conversations/" + id + "/messages", key, "{\"text\":\"Live from the desk\"}");
        });
        List<String[]> live = readEvents(id, lastId, 1);
        operator.join();
        assertEquals("Live from the desk", json(live.get(0)[2]).get("text").asText(), "only events after the id");
        assertTrue(Long.parseLong(live.get(0)[0]) > Long.parseLong(lastId));
    }

    @Test
    void anotherTenantsConversationIsNotFound() {
        String id = session();
        String other = hub.key(hub.tenant("Other"), "[\"conversations:read\",\"conversations:write\"]");
        assertEquals(404, hub.call("GET", "/v1/conversations/" + id, other, null).statusCode());
        assertEquals(404, hub.call("GET", "/v1/conversations/" + id + "/events", other, null).statusCode());
        assertEquals(404, hub.call("POST", "/v1/conversations/" + id + "/messages", other, "{\"text\":\"x\"}")
                .statusCode());
        String readOnly = hub.key(json(hub.call("GET", "/v1/tenant", key, null)).get("id").asText(),
                "[\"conversations:read\"]");
        assertEquals(403, hub.call("PATCH", "/v1/conversations/" + id, readOnly, "{\"status\":\"human\"}")
                .statusCode());
    }

    /** Reads {@code count} id-carrying events (id, type, data) from the stream, resuming after {@code lastEventId}. */
    private static List<String[]> readEvents(String conversationId, String lastEventId, int count) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(java.net.URI.create(hub.base() + "/v1/conversations/"
                        + conversationId + "/events"))
                .header("Authorization", "Bearer " + key).header("Last-Event-ID", lastEventId)
                .timeout(Duration.ofSeconds(20)).GET().build();
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        List<String[]> events = new ArrayList<>();
        try (InputStream body = r.body();
             BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            String type = null;
            String line;
            while (events.size() < count && (line = lines.readLine()) != null) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ") && id != null) {
                    events.add(new String[] {id, type, line.substring(6)});
                    id = null;
                }
            }
        }
        return events;
    }
}
