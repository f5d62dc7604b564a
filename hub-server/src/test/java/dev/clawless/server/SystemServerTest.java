package dev.clawless.server;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /admin/system}: what a platform admin sees of the node, with dead letters made by a dead receiver. */
class SystemServerTest {

    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true", "CLAWLESS_JOBS_MAX_ATTEMPTS",
                "1"));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void theSystemShowsVersionUptimeDatabaseAndTheJobQueue() {
        String key = hub.key(hub.tenant("System"), "[\"chat\",\"webhooks:admin\"]");
        // a receiver that is not there: each webhook delivery uses its one attempt and is dead-lettered
        assertEquals(201, hub.call("POST", "/v1/webhooks", key, "{\"url\":\"http://127.0.0.1:9/gone\",\"events\":"
                + "[\"message.created\"]}").statusCode());
        String session = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        assertEquals(200, hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}").statusCode());
        TestHub.await("two dead letters", () -> json(hub.admin("GET", "/admin/system", null))
                .at("/jobs/dead_by_kind/webhook_delivery").asLong() == 2);

        HttpResponse<String> r = hub.admin("GET", "/admin/system", null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode s = json(r);
        assertTrue(s.get("version").asText().matches("[0-9]+\\.[0-9]+\\.[0-9]+.*"), s.toString());
        Instant started = Instant.parse(s.get("started_at").asText());
        assertFalse(started.isAfter(Instant.now()));
        assertTrue(s.get("uptime_seconds").asLong() >= 0 && s.get("uptime_seconds").asLong() < 600, s.toString());
        assertEquals("UP", s.at("/database/status").asText());
        assertTrue(s.at("/database/product").asText().startsWith("H2 "), s.toString());
        assertTrue(s.get("redis").isNull());
        assertEquals(2, s.at("/jobs/dead").asLong(), s.toString());
        assertEquals(0, s.at("/jobs/queued").asLong(), "nothing else waits: " + s);
        assertEquals(0, s.at("/jobs/running").asLong(), "nothing else runs: " + s);
        assertTrue(s.get("plugins").isArray());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));

        // a tenant's key is never an admin credential
        assertEquals(401, hub.call("GET", "/admin/system", key, null).statusCode());
    }
}
