package dev.clawless.server.workspace;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.Bubblewrap;
import dev.clawless.server.TestHub;
import dev.clawless.server.marketplace.PluginKit;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The assistant's workspace through the hub: off until the tenant turns it on (and only where the operator allows
 * workspaces); a shell command waits for an operator's approval under the default policy, then runs in the
 * conversation's sandboxed folder; reading runs at once; every command is in the audit log.
 */
class WorkspaceServerTest {

    private static WireMockServer fake;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        Bubblewrap.requireOrSkip();
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
        hub = TestHub.start(Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-x",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", fake.baseUrl() + "/v1",
                "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-test", "CLAWLESS_WORKSPACE_ENABLED", "true"));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (fake != null) {
            fake.stop();
        }
    }

    private static String key(String name) {
        String key = hub.key(hub.tenant(name), "[\"chat\",\"tenant:admin\",\"conversations:read\","
                + "\"conversations:write\"]");
        assertEquals(200, hub.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"assistant\":{\"provider\":"
                + "\"openai\"}}}").statusCode());
        return key;
    }

    /** Whether the model was offered the shell tool (its definition, not a call the fake model made). */
    private static boolean offered(String tool) {
        for (LoggedRequest r : fake.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")))) {
            if (r.getBodyAsString().contains("Run a bash command in this conversation")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aTenantsWorkspaceRunsApprovedCommandsInItsConversationsFolderAndAuditsThem() throws Exception {
        String off = key("No workspace");
        fake.resetAll();
        PluginKit.modelCallsThenAnswers(fake, "workspace_shell", "{\"command\":\"id\"}", "No.");
        PluginKit.ask(hub, off, "run id");
        assertFalse(offered("workspace_shell"), "a tenant that did not turn it on is not offered the workspace");

        String on = key("Workspace");
        HttpResponse<String> patched = hub.call("PATCH", "/v1/tenant", on, "{\"settings\":{\"workspace\":"
                + "{\"enabled\":true,\"hosts\":[\"github.com\"]}}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals("{\"enabled\":true,\"hosts\":[\"github.com\"]}", json(hub.call("GET", "/v1/tenant", on, null))
                .at("/settings/workspace").toString());
        HttpResponse<String> bad = hub.call("PATCH", "/v1/tenant", on, "{\"settings\":{\"workspace\":{\"enabled\":"
                + "true,\"hosts\":[\"not a host\"]}}}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("settings.workspace.hosts[0]"), bad.body());

        fake.resetAll();
        PluginKit.modelCallsThenAnswers(fake, "workspace_shell", "{\"command\":\"mkdir -p app && cd app &&"
                + " printf 'ok' > done.txt && pwd\"}", "Done.");
        HttpResponse<String> paused = PluginKit.ask(hub, on, "make the app folder");
        assertEquals(202, paused.statusCode(), paused.body());
        assertTrue(offered("workspace_shell"));
        String tenant = json(hub.call("GET", "/v1/tenant", on, null)).get("id").asText();
        String approval = json(paused).get("approval_id").asText();
        String conversation = json(hub.call("GET", "/v1/approvals?status=pending", on, null)).at("/data/0/conversation_id")
                .asText();
        Path folder = hub.hub().config().dataDir().resolve("workspaces").resolve(tenant).resolve(conversation);
        assertFalse(Files.exists(folder.resolve("app/done.txt")), "nothing runs before the approval");
        assertEquals(200, hub.call("POST", "/v1/approvals/" + approval + "/approve", on, null).statusCode());
        long end = System.currentTimeMillis() + 30_000;
        while (!fake.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).stream()
                .anyMatch(r -> r.getBodyAsString().contains("/workspace/app")) && System.currentTimeMillis() < end) {
            Thread.sleep(100);
        }
        assertEquals("ok", Files.readString(folder.resolve("app/done.txt")));
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(
                containing("/workspace/app")));
        JsonNode audit = json(hub.admin("GET", "/admin/audit?action=workspace.command", null));
        assertTrue(audit.toString().contains("mkdir -p app") && audit.toString().contains(conversation),
                audit.toString());
        assertTrue(audit.toString().contains("exit 0"), audit.toString());
    }
}
