package dev.clawless.server.workspace;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * conversation's sandboxed folder; reading runs at once; every command is in the audit log. A command is a job of
 * its own: it may run past the tool-call timeout, its output comes live on the conversation's stream, a runaway is
 * killed at the command limit with the reason on its record, and the turn goes on with the result either way.
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
                "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-test", "CLAWLESS_WORKSPACE_ENABLED", "true",
                // a tool call may take 2 s, a workspace command 12 s: commands run as jobs of their own
                "CLAWLESS_TOOLS_TIMEOUT", "2s", "CLAWLESS_WORKSPACE_COMMAND_TIMEOUT", "12s"));
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

    @Test
    void aCommandRunsAsAJobPastTheToolTimeoutWithLiveOutputAndARunawayIsKilledAtItsLimit() throws Exception {
        String key = key("Long commands");
        assertEquals(200, hub.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"workspace\":{\"enabled\":true},"
                + "\"approval_policy\":\"never\"}}").statusCode());
        fake.resetAll();
        // 4 s: twice the tool-call timeout
        PluginKit.modelCallsThenAnswers(fake, "workspace_shell", "{\"command\":\"for i in 1 2 3 4; do echo line-$i;"
                + " sleep 1; done\"}", "Built.");
        String session = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        java.util.List<String> streamed = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        var events = client.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(hub.base()
                        + "/v1/conversations/" + session + "/events")).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofLines());
        HttpResponse<java.util.stream.Stream<String>> stream = events.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, stream.statusCode());
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                stream.body().forEach(streamed::add);
            } catch (java.io.UncheckedIOException closed) {
                // the test closed the stream
            }
        });
        HttpResponse<String> answer = hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"build it\"}]}");
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("Built.", json(answer).at("/choices/0/message/content").asText());
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(
                containing("exit 0\\nline-1\\nline-2\\nline-3\\nline-4")));
        JsonNode commands = json(hub.call("GET", "/v1/conversations/" + session + "/workspace/commands", key, null));
        assertEquals("finished", commands.at("/data/0/status").asText(), commands.toString());
        assertEquals(0, commands.at("/data/0/exit_code").asInt());
        assertEquals("line-1\nline-2\nline-3\nline-4", commands.at("/data/0/output").asText());
        long end = System.currentTimeMillis() + 10_000;
        while (!String.join("\n", streamed).contains("workspace.command_ended") && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        String seen = String.join("\n", streamed);
        assertTrue(seen.contains("event: workspace.output") && seen.contains("\"line\":\"line-3\""), seen);
        for (String part : List.of("workspace.command_started", "\"line\":\"line-1\"", "\"line\":\"line-4\"",
                "workspace.command_ended")) {
            assertTrue(seen.contains(part), part + " in " + seen);
        }
        assertTrue(seen.indexOf("workspace.command_started") < seen.indexOf("\"line\":\"line-1\"")
                && seen.indexOf("\"line\":\"line-4\"") < seen.indexOf("workspace.command_ended"), seen);
        reader.interrupt();
        stream.body().close();

        // a runaway: killed at the 12 s command limit, its record says why, and the turn goes on with the error
        fake.resetAll();
        PluginKit.modelCallsThenAnswers(fake, "workspace_shell", "{\"command\":\"echo started; sleep 600\"}",
                "It took too long.");
        String runaway = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        HttpResponse<String> gaveUp = hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\""
                + runaway + "\",\"messages\":[{\"role\":\"user\",\"content\":\"wait\"}]}");
        JsonNode killed = json(hub.call("GET", "/v1/conversations/" + runaway + "/workspace/commands", key, null));
        end = System.currentTimeMillis() + 30_000;
        while (!killed.at("/data/0/status").asText().equals("killed") && System.currentTimeMillis() < end) {
            Thread.sleep(200);
            killed = json(hub.call("GET", "/v1/conversations/" + runaway + "/workspace/commands", key, null));
        }
        assertEquals("killed", killed.at("/data/0/status").asText(), killed.toString() + " " + gaveUp.body());
        assertTrue(killed.at("/data/0/reason").asText().contains("past its limit of 12 s"), killed.toString());
        assertEquals("started", killed.at("/data/0/output").asText());
        end = System.currentTimeMillis() + 10_000;
        while (fake.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).size() < 2
                && System.currentTimeMillis() < end) {
            Thread.sleep(100);
        }
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(
                containing("past its limit of 12 s")));
        JsonNode audit = json(hub.admin("GET", "/admin/audit?action=workspace.command", null));
        assertTrue(audit.toString().contains("sleep 600") && audit.toString().contains("past its limit"),
                audit.toString());
        // another tenant's key does not see the commands
        String other = key("Someone else");
        assertEquals(404, hub.call("GET", "/v1/conversations/" + runaway + "/workspace/commands", other, null)
                .statusCode());
    }
}
