package dev.clawless.server;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member with the agent role works conversations and nothing else: every settings route answers 403, on the
 * tenant's routes ({@code insufficient-scope}) and on the platform's ({@code not-platform-admin}), while the same
 * routes serve the tenant's admin.
 */
class AgentRoleServerTest {

    private static TestHub hub;
    private static Browser admin;

    @BeforeAll
    static void start() {
        hub = TestHub.start();
        admin = Browser.firstAdmin(hub, "root@roles.example");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void anAgentGets403OnEverySettingsRouteAndAnAdminDoesNot() {
        String tenant = hub.tenant("Roles");
        Browser owner = Browser.accept(hub, admin.invite(tenant, "owner@roles.example", "owner"), "Olive Owner");
        Browser manager = Browser.accept(hub, admin.invite(tenant, "admin@roles.example", "admin"), "Adam Admin");
        Browser agent = Browser.accept(hub, admin.invite(tenant, "agent@roles.example", "agent"), "Agnes Agent");
        String connection = json(owner.call("POST", "/v1/channels", "{\"type\":\"webchat\",\"config\":"
                + "{\"allowed_origins\":[\"https://roles.example\"]}}")).get("id").asText();
        String webhook = json(owner.call("POST", "/v1/webhooks", "{\"url\":\"https://hooks.roles.example/x\","
                + "\"events\":[\"*\"]}")).get("id").asText();
        String[][] settings = {
            {"GET", "/v1/channel-types", null},
            {"GET", "/v1/channels/" + connection + "/health", null},
            {"POST", "/v1/channels/" + connection + "/dead-letters/job_1/retry", null},
            {"POST", "/v1/channels/" + connection + "/test-message", "{\"to\":\"x\",\"text\":\"hi\"}"},
            {"POST", "/v1/channels", "{\"type\":\"webchat\"}"},
            {"PATCH", "/v1/channels/" + connection, "{\"name\":\"mine\"}"},
            {"GET", "/v1/reports/usage", null},
            {"GET", "/v1/usage", null},
            {"PATCH", "/v1/tenant", "{\"name\":\"Taken\"}"},
            {"POST", "/v1/api-keys", "{\"name\":\"k\",\"scopes\":[\"chat\"]}"},
            {"GET", "/v1/api-keys", null},
            {"POST", "/v1/webhooks", "{\"url\":\"https://hooks.roles.example/y\",\"events\":[\"*\"]}"},
            {"GET", "/v1/webhooks", null},
            {"POST", "/v1/webhooks/" + webhook + "/deliveries/whd_01aaaaaaaaaaaaaaaaaaaaaaaa/resend", null},
            {"POST", "/v1/knowledge/documents", "{\"title\":\"t\",\"format\":\"text\",\"content\":\"c\"}"},
            {"POST", "/v1/plugins/installations", "{\"plugin_id\":\"p\",\"version\":\"1.0.0\"}"},
            {"GET", "/v1/plugins/installations/ins_01aaaaaaaaaaaaaaaaaaaaaaaa", null},
            {"PATCH", "/v1/inbox/settings", "{\"handoff_message\":\"x\"}"},
            {"GET", "/v1/assistant/providers", null},
            {"POST", "/v1/intents/test", "{\"text\":\"hi\"}"},
            {"GET", "/v1/knowledge/documents/doc_01aaaaaaaaaaaaaaaaaaaaaaaa/chunks", null},
            {"PUT", "/v1/channels/" + connection + "/routing", "{\"auto_assign\":true}"},
            {"POST", "/v1/labels", "{\"name\":\"x\"}"},
            {"POST", "/v1/canned-responses", "{\"shortcut\":\"x\",\"text\":\"y\"}"},
            {"POST", "/v1/teams", "{\"name\":\"x\"}"},
            {"PATCH", "/v1/tenant/security", "{\"require_totp\":true}"},
        };
        List<String> wrong = new ArrayList<>();
        for (String[] r : settings) {
            HttpResponse<String> answer = agent.call(r[0], r[1], r[2]);
            if (answer.statusCode() != 403 || !json(answer).get("type").asText().endsWith("insufficient-scope")) {
                wrong.add(r[0] + " " + r[1] + " -> " + answer.statusCode() + " " + answer.body());
            }
        }
        for (String path : List.of("/admin/system", "/admin/tenants/" + tenant + "/reports/usage",
                "/admin/marketplace/plugins", "/admin/marketplace/plugins/p/versions/1.0.0")) {
            HttpResponse<String> answer = agent.call("GET", path, null);
            if (answer.statusCode() != 403 || !json(answer).get("type").asText().endsWith("not-platform-admin")) {
                wrong.add("GET " + path + " -> " + answer.statusCode() + " " + answer.body());
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));

        // the agent still works conversations; the tenant's admin gets through the same routes
        assertEquals(200, agent.call("GET", "/v1/inbox", null).statusCode());
        for (String path : List.of("/v1/channel-types", "/v1/channels/" + connection + "/health", "/v1/reports/usage",
                "/v1/webhooks", "/v1/api-keys")) {
            assertEquals(200, manager.call("GET", path, null).statusCode(), path);
        }
        HttpResponse<String> widget = manager.call("POST", "/v1/channels/" + connection + "/test-message",
                "{\"to\":\"x\",\"text\":\"hi\"}");
        assertEquals(409, widget.statusCode(), "past the role check, the web chat refuses: " + widget.body());
        JsonNode system = json(admin.call("GET", "/admin/system", null));
        assertEquals("UP", system.at("/database/status").asText(), "a platform admin's session reads it");
    }
}
