package dev.clawless.server.http;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.clawless.server.LogCapture;
import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the database goes away: readiness says so, requests get a 500 that shows no internals, liveness holds. */
class DatabaseDownServerTest {

    @Test
    void aDeadDatabaseGivesA503ReadinessAnd500sWithoutInternals() {
        try (LogCapture logs = new LogCapture(); TestHub hub = TestHub.start()) {
            String tenant = hub.tenant("Doomed");
            String key = hub.key(tenant, "[\"chat\"]");
            hub.hub().database().close();

            HttpResponse<String> ready = hub.call("GET", "/health/ready", null, null);
            assertEquals(503, ready.statusCode());
            assertEquals("DOWN", json(ready).get("status").asText());

            HttpResponse<String> r = hub.call("GET", "/v1/tenant", key, null);
            assertEquals(500, r.statusCode(), r.body());
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElseThrow());
            JsonNode p = json(r);
            assertEquals("urn:clawless:problem:internal", p.get("type").asText());
            String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
            assertTrue(p.get("detail").asText().contains(requestId));
            String body = r.body().toLowerCase();
            for (String internal : new String[] {"exception", "hikari", "sql", "at dev.", "java."}) {
                assertFalse(body.contains(internal), internal + " leaked: " + r.body());
            }
            assertTrue(logs.all().contains(requestId), "the log has the details under the request id");
            assertEquals(200, hub.call("GET", "/health/live", null, null).statusCode());
        }
    }
}
