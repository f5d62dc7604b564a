package dev.clawless.server.api;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Usage is metered, monthly quotas stop model calls, and request rates are limited per tenant. */
class UsageApiServerTest {

    private static TestHub hub;

    @BeforeAll
    static void start() {
        hub = TestHub.start();
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static String tenantWith(String quotas) {
        HttpResponse<String> r = hub.admin("POST", "/admin/tenants", "{\"name\":\"Q\",\"quotas\":" + quotas + "}");
        assertEquals(201, r.statusCode(), r.body());
        return json(r).get("id").asText();
    }

    private static HttpResponse<String> chat(String key) {
        return hub.call("POST", "/v1/chat/completions", key,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}");
    }

    @Test
    void theMonthlyMessageQuotaStopsTheThirdAnswerWithA429UntilNextMonth() {
        String tenant = tenantWith("{\"messages_per_month\":2}");
        String key = hub.key(tenant, "[\"chat\",\"usage:read\"]");
        assertEquals(200, chat(key).statusCode());
        assertEquals(200, chat(key).statusCode());
        HttpResponse<String> third = chat(key);
        assertEquals(429, third.statusCode(), third.body());
        // an OpenAI route: OpenAI's error shape, so OpenAI clients show the message
        assertEquals("quota-exceeded", json(third).at("/error/code").asText());
        assertEquals("rate_limit_error", json(third).at("/error/type").asText());
        assertTrue(json(third).at("/error/message").asText().contains("messages_per_month"));
        long retryAfter = Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter > 0 && retryAfter <= 31L * 24 * 3600, "until the next month: " + retryAfter);

        JsonNode usage = json(hub.call("GET", "/v1/usage", key, null));
        assertEquals(2, usage.get("messages").asInt());
        assertEquals(0, usage.at("/remaining/messages").asInt());
        assertEquals("retrieval", usage.at("/by_model/0/provider").asText());
        assertTrue(usage.get("tokens_in").asInt() > 0);
        assertEquals(usage.get("messages"), json(hub.admin("GET", "/admin/tenants/" + tenant + "/usage", null))
                .get("messages"));
        assertEquals(0, json(hub.call("GET", "/v1/usage?period=2020-01", key, null)).get("messages").asInt());
        assertEquals(400, hub.call("GET", "/v1/usage?period=last-month", key, null).statusCode());
    }

    @Test
    void aTenantOverItsRequestRateGets429WithRetryAfter() {
        String key = hub.key(tenantWith("{\"requests_per_minute\":3}"), "[\"chat\"]");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, hub.call("GET", "/v1/tenant", key, null).statusCode(), "request " + i);
        }
        HttpResponse<String> limited = hub.call("GET", "/v1/tenant", key, null);
        assertEquals(429, limited.statusCode());
        assertEquals("urn:clawless:problem:rate-limited", json(limited).get("type").asText());
        assertTrue(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()) >= 1);
    }

    @Test
    void aKeyOverItsOwnRateIsLimitedWhileTheTenantsOtherKeysGoOn() {
        try (TestHub limited = TestHub.start(java.util.Map.of("CLAWLESS_API_KEYS_REQUESTS_PER_MINUTE", "2"))) {
            String tenant = limited.tenant("Keys");
            String busy = limited.key(tenant, "[\"chat\"]");
            String calm = limited.key(tenant, "[\"chat\"]");
            assertEquals(200, limited.call("GET", "/v1/tenant", busy, null).statusCode());
            assertEquals(200, limited.call("GET", "/v1/tenant", busy, null).statusCode());
            HttpResponse<String> third = limited.call("GET", "/v1/tenant", busy, null);
            assertEquals(429, third.statusCode());
            assertTrue(json(third).get("detail").asText().contains("API key"), third.body());
            assertEquals(200, limited.call("GET", "/v1/tenant", calm, null).statusCode());
        }
    }

    @Test
    void usageNeedsItsScope() {
        String key = hub.key(tenantWith("{}"), "[\"chat\"]");
        assertEquals(403, hub.call("GET", "/v1/usage", key, null).statusCode());
    }
}
