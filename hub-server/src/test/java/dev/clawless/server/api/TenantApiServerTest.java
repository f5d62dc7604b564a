package dev.clawless.server.api;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.LogCapture;
import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admin tenant CRUD, API keys and {@code /v1/tenant} over real HTTP against a running hub. */
class TenantApiServerTest {

    private static TestHub hub;
    private static LogCapture logs;

    @BeforeAll
    static void start() {
        logs = new LogCapture();
        hub = TestHub.start();
    }

    @AfterAll
    static void stop() {
        hub.close();
        logs.close();
    }

    @Test
    void adminCreatesReadsListsUpdatesAndDeletesATenant() {
        HttpResponse<String> created = hub.admin("POST", "/admin/tenants",
                "{\"name\":\"Acme\",\"plan\":\"pro\",\"quotas\":{\"messages_per_month\":10},"
                        + "\"settings\":{\"system_prompt\":\"Be kind.\",\"allowed_origins\":[\"https://acme.example\"]}}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode t = json(created);
        String id = t.get("id").asText();
        assertTrue(id.startsWith("ten_"));
        assertEquals("/admin/tenants/" + id, created.headers().firstValue("Location").orElseThrow());
        assertEquals("active", t.get("status").asText());
        assertEquals(10, t.at("/quotas/messages_per_month").asLong());
        assertEquals(50_000_000, t.at("/quotas/tokens_per_month").asLong());
        assertEquals("https://acme.example", t.at("/settings/allowed_origins/0").asText());

        assertEquals(t, json(hub.admin("GET", "/admin/tenants/" + id, null)));

        HttpResponse<String> patched = hub.admin("PATCH", "/admin/tenants/" + id,
                "{\"status\":\"suspended\",\"quotas\":{\"messages_per_month\":null}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals("suspended", json(patched).get("status").asText());
        assertEquals(50_000, json(patched).at("/quotas/messages_per_month").asLong());

        HttpResponse<String> suspendedList = hub.admin("GET", "/admin/tenants?status=suspended&limit=200", null);
        assertTrue(suspendedList.body().contains(id));

        assertEquals(204, hub.admin("DELETE", "/admin/tenants/" + id, null).statusCode());
        assertEquals(404, hub.admin("GET", "/admin/tenants/" + id, null).statusCode());
        assertEquals(404, hub.admin("DELETE", "/admin/tenants/" + id, null).statusCode());
    }

    @Test
    void listsPageWithACursor() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(hub.tenant("paged-" + i));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = json(hub.admin("GET", "/admin/tenants?limit=2" + (cursor == null ? "" : "&cursor="
                    + cursor), null));
            page.get("data").forEach(t -> seen.add(t.get("id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        assertTrue(seen.containsAll(ids), seen.toString());
        assertEquals(seen.size(), seen.stream().distinct().count());
        assertEquals(400, hub.admin("GET", "/admin/tenants?limit=0", null).statusCode());
        assertEquals(400, hub.admin("GET", "/admin/tenants?limit=abc", null).statusCode());
        assertEquals(400, hub.admin("GET", "/admin/tenants?cursor=%25%25%25", null).statusCode());
        assertEquals(400, hub.admin("GET", "/admin/tenants?status=gone", null).statusCode());
    }

    @Test
    void keyReachesItsOwnTenantAndTheKeyIsShownOnlyOnce() {
        String tenant = hub.tenant("Keyed");
        HttpResponse<String> created = hub.admin("POST", "/admin/tenants/" + tenant + "/api-keys",
                "{\"name\":\"backend\",\"scopes\":[\"chat\",\"keys:admin\"],\"expires_at\":\"2030-01-01T00:00:00Z\"}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("no-store", created.headers().firstValue("Cache-Control").orElseThrow());
        String key = json(created).get("key").asText();
        String keyId = json(created).get("id").asText();
        assertTrue(key.startsWith("ck_live_" + keyId.substring(4) + "_"), key);

        HttpResponse<String> self = hub.call("GET", "/v1/tenant", key, null);
        assertEquals(200, self.statusCode(), self.body());
        assertEquals(tenant, json(self).get("id").asText());

        String listed = hub.call("GET", "/v1/api-keys", key, null).body();
        assertTrue(listed.contains(keyId));
        assertFalse(listed.contains(key.substring(key.lastIndexOf('_') + 1)), "a listed key never shows its secret");
        assertFalse(hub.admin("GET", "/admin/tenants/" + tenant + "/api-keys", null).body()
                .contains(key.substring(key.lastIndexOf('_') + 1)));
    }

    @Test
    void rotationKeepsTheOldSecretDuringGraceAndRevocationEndsBoth() {
        String tenant = hub.tenant("Rotating");
        String admin = hub.key(tenant, "[\"keys:admin\"]");
        String keyId = json(hub.call("GET", "/v1/api-keys", admin, null)).at("/data/0/id").asText();

        HttpResponse<String> rotated = hub.call("POST", "/v1/api-keys/" + keyId + "/rotate", admin,
                "{\"grace_period_seconds\":600}");
        assertEquals(200, rotated.statusCode(), rotated.body());
        String fresh = json(rotated).get("key").asText();
        assertNotEquals(admin, fresh);
        assertEquals(200, hub.call("GET", "/v1/tenant", admin, null).statusCode(), "old secret within grace");
        assertEquals(200, hub.call("GET", "/v1/tenant", fresh, null).statusCode());

        HttpResponse<String> immediate = hub.call("POST", "/v1/api-keys/" + keyId + "/rotate", fresh,
                "{\"grace_period_seconds\":0}");
        String newest = json(immediate).get("key").asText();
        assertEquals(401, hub.call("GET", "/v1/tenant", fresh, null).statusCode(), "no grace: old secret ends");
        assertEquals(200, hub.call("GET", "/v1/tenant", newest, null).statusCode());

        HttpResponse<String> noBody = hub.call("POST", "/v1/api-keys/" + keyId + "/rotate", newest, null);
        assertEquals(200, noBody.statusCode(), "a rotation without a body uses the configured grace");
        String latest = json(noBody).get("key").asText();

        assertEquals(204, hub.call("DELETE", "/v1/api-keys/" + keyId, latest, null).statusCode());
        HttpResponse<String> revoked = hub.call("GET", "/v1/tenant", latest, null);
        assertEquals(401, revoked.statusCode());
        assertEquals("the API key has been revoked", json(revoked).get("detail").asText());
        assertEquals(401, hub.call("GET", "/v1/tenant", newest, null).statusCode(), "revocation ends the grace");
    }

    @Test
    void aKeysAdminKeyCannotTakeOverAStrongerKeyByRotatingIt() {
        String tenant = hub.tenant("Takeover");
        String strong = hub.key(tenant, "[\"tenant:admin\",\"keys:admin\"]");
        String strongId = json(hub.call("GET", "/v1/api-keys", strong, null)).at("/data/0/id").asText();
        String weak = hub.key(tenant, "[\"keys:admin\"]");
        assertEquals(403, hub.call("PATCH", "/v1/tenant", weak, "{\"name\":\"pwned\"}").statusCode());
        HttpResponse<String> rotate = hub.call("POST", "/v1/api-keys/" + strongId + "/rotate", weak,
                "{\"grace_period_seconds\":0}");
        assertEquals(403, rotate.statusCode(), rotate.body());
        assertEquals("urn:clawless:problem:scope-escalation", json(rotate).get("type").asText());
        assertEquals(403, hub.call("DELETE", "/v1/api-keys/" + strongId, weak, null).statusCode());
        assertEquals(200, hub.call("GET", "/v1/tenant", strong, null).statusCode(), "the strong key still works");
    }

    @Test
    void aRotatedAwaySecretCallsTheApiButCannotManageKeys() {
        String tenant = hub.tenant("Leaked");
        String leaked = hub.key(tenant, "[\"keys:admin\",\"tenant:admin\"]");
        String keyId = json(hub.call("GET", "/v1/api-keys", leaked, null)).at("/data/0/id").asText();
        hub.admin("POST", "/admin/tenants/" + tenant + "/api-keys/" + keyId + "/rotate", null);
        assertEquals(200, hub.call("GET", "/v1/tenant", leaked, null).statusCode(), "still in its grace period");
        HttpResponse<String> mint = hub.call("POST", "/v1/api-keys", leaked,
                "{\"name\":\"backdoor\",\"scopes\":[\"keys:admin\"]}");
        assertEquals(403, mint.statusCode(), mint.body());
        assertEquals("urn:clawless:problem:previous-secret", json(mint).get("type").asText());
        assertEquals(403, hub.call("POST", "/v1/api-keys/" + keyId + "/rotate", leaked, null).statusCode());
    }

    @Test
    void expiredKeyIsUnauthorized() throws InterruptedException {
        String tenant = hub.tenant("Expiring");
        String expiresAt = java.time.Instant.now().plusSeconds(2).toString();
        HttpResponse<String> created = hub.admin("POST", "/admin/tenants/" + tenant + "/api-keys",
                "{\"name\":\"short\",\"scopes\":[\"chat\"],\"expires_at\":\"" + expiresAt + "\"}");
        String key = json(created).get("key").asText();
        assertEquals(200, hub.call("GET", "/v1/tenant", key, null).statusCode());
        Thread.sleep(2100);
        HttpResponse<String> expired = hub.call("GET", "/v1/tenant", key, null);
        assertEquals(401, expired.statusCode());
        assertEquals("the API key has expired", json(expired).get("detail").asText());
    }

    @Test
    void tenantPatchesItsOwnSettingsButNotItsPlan() {
        String tenant = hub.tenant("SelfService");
        String key = hub.key(tenant, "[\"tenant:admin\"]");
        HttpResponse<String> patched = hub.call("PATCH", "/v1/tenant", key,
                "{\"name\":\"Self Service Ltd\",\"settings\":{\"mode\":\"sales\",\"assistant\":{\"provider\":\"openai\","
                        + "\"model\":\"gpt-4o-mini\"},\"approval_policy\":\"always\"}}");
        assertEquals(200, patched.statusCode(), patched.body());
        JsonNode t = json(patched);
        assertEquals("Self Service Ltd", t.get("name").asText());
        assertEquals("sales", t.at("/settings/mode").asText());
        assertEquals("gpt-4o-mini", t.at("/settings/assistant/model").asText());
        assertEquals("always", t.at("/settings/approval_policy").asText());

        JsonNode modelOnly = json(hub.call("PATCH", "/v1/tenant", key,
                "{\"settings\":{\"assistant\":{\"model\":\"gpt-4.1\"}}}"));
        assertEquals("openai", modelOnly.at("/settings/assistant/provider").asText(), "settings merge field by field");
        assertEquals("gpt-4.1", modelOnly.at("/settings/assistant/model").asText());
        assertEquals("sales", modelOnly.at("/settings/mode").asText());
        JsonNode cleared = json(hub.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"assistant\":{\"model\":null}}}"));
        assertTrue(cleared.at("/settings/assistant/model").isNull());

        HttpResponse<String> planChange = hub.call("PATCH", "/v1/tenant", key, "{\"plan\":\"enterprise\"}");
        assertEquals(400, planChange.statusCode());
        assertEquals("plan", json(planChange).at("/errors/0/field").asText());
    }

    @Test
    void auditLogRecordsAdminAndKeyActionsWithoutSecrets() {
        String tenant = hub.tenant("Audited");
        String key = hub.key(tenant, "[\"keys:admin\"]");
        String keyId = json(hub.call("GET", "/v1/api-keys", key, null)).at("/data/0/id").asText();
        hub.call("POST", "/v1/api-keys/" + keyId + "/rotate", key, null);
        JsonNode entries = json(hub.admin("GET", "/admin/audit?tenant_id=" + tenant, null)).get("data");
        List<String> actions = new ArrayList<>();
        entries.forEach(e -> actions.add(e.get("action").asText()));
        assertEquals(List.of("api_key.rotated", "api_key.created", "tenant.created"), actions);
        assertEquals(keyId, entries.get(0).get("actor").asText(), "a tenant key's action names the key");
        assertEquals("admin", entries.get(2).get("actor").asText());
        assertFalse(entries.toString().contains(key.substring(key.lastIndexOf('_') + 1)));
        JsonNode rotations = json(hub.admin("GET", "/admin/audit?action=api_key.rotated", null)).get("data");
        rotations.forEach(e -> assertEquals("api_key.rotated", e.get("action").asText()));
        assertEquals(401, hub.call("GET", "/admin/audit", key, null).statusCode(), "a tenant key is not the admin");
    }

    @Test
    void noSecretEverReachesTheLog() {
        String tenant = hub.tenant("Secretive");
        String key = hub.key(tenant, "[\"chat\",\"keys:admin\"]");
        hub.call("GET", "/v1/tenant", key, null);
        hub.call("GET", "/v1/tenant", key + "x", null);
        hub.call("GET", "/admin/tenants", "wrong-admin-token-that-is-long-enough", null);
        hub.call("POST", "/v1/api-keys", key, "{\"name\":\"n\",\"scopes\":[\"tenant:admin\"]}");
        assertTrue(logs.all().contains("\"route\":\"/v1/tenant\""), "the access log was captured");
        for (String secret : List.of(key.substring(key.lastIndexOf('_') + 1), TestHub.ADMIN_TOKEN,
                "wrong-admin-token-that-is-long-enough")) {
            List<String> leaks = logs.lines().stream().filter(l -> l.contains(secret)).toList();
            assertEquals(List.of(), leaks, "log lines with a secret");
        }
    }
}
