package dev.clawless.server.console;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;

import dev.clawless.server.Browser;
import dev.clawless.server.Bubblewrap;
import dev.clawless.server.Chromium;
import dev.clawless.server.TestHub;
import dev.clawless.server.marketplace.PluginKit;

import static dev.clawless.server.TestHub.json;
import static dev.clawless.server.console.Pages.accessibilityViolations;
import static dev.clawless.server.console.Pages.find;
import static dev.clawless.server.console.Pages.openConversation;
import static dev.clawless.server.console.Pages.screenshot;
import static dev.clawless.server.console.Pages.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In headless Chromium: an operator watching a conversation sees the assistant's workspace command and its output
 * line by line while it runs (before it ends), then its outcome — the command a job of its own, past the tool-call
 * timeout.
 */
class WorkspaceBrowserTest {

    private static TestHub hub;
    private static WireMockServer llm;

    @BeforeAll
    static void start() {
        Chromium.requireOrSkip();
        Bubblewrap.requireOrSkip();
        llm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        llm.start();
        hub = TestHub.start(Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-test",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", llm.baseUrl() + "/v1", "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL",
                "gpt-test", "CLAWLESS_WORKSPACE_ENABLED", "true", "CLAWLESS_TOOLS_TIMEOUT", "2s"));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (llm != null) {
            llm.stop();
        }
    }

    @Test
    void anOperatorWatchesACommandsOutputLiveThenItsOutcome() throws Exception {
        Browser.firstAdmin(hub, "root@ops.example");
        String tenant = hub.tenant("Build shop");
        String key = hub.key(tenant, "[\"chat\",\"tenant:admin\",\"conversations:read\"]");
        assertEquals(200, hub.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"assistant\":{\"provider\":\"openai\"},"
                + "\"workspace\":{\"enabled\":true},\"approval_policy\":\"never\"}}").statusCode());
        PluginKit.modelCallsThenAnswers(llm, "workspace_shell", "{\"command\":\"for i in $(seq 1 10); do echo"
                + " step-$i of the build; sleep 1; done\"}", "The build passed.");
        String session = json(hub.call("POST", "/v1/sessions", key, "{\"title\":\"Build request\"}")).get("id")
                .asText();

        ChromeDriver d = Chromium.start(1280, 900);
        try {
            openConversation(d, hub, "root@ops.example", tenant, session);

            CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(() -> hub.call("POST",
                    "/v1/chat/completions", key, "{\"session_id\":\"" + session + "\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"run the build\"}]}"));
            // live: lines appear while the command still runs
            waitFor(d, "live output", () -> find(d, "workspace-command-output").getText().contains("step-4 of the build"));
            assertEquals("Running", find(d, "workspace-command-status").getText());
            assertTrue(!find(d, "workspace-command-output").getText().contains("step-10"),
                    "the output came before the command ended");
            screenshot(d, "console-workspace-live.png");
            assertEquals(List.of(), accessibilityViolations(d), "the conversation with a running command");

            HttpResponse<String> answered = answer.get();
            assertEquals(200, answered.statusCode(), answered.body());
            waitFor(d, "the outcome", () -> find(d, "workspace-command-status").getText().startsWith("Finished"));
            assertEquals("Finished · exit 0", find(d, "workspace-command-status").getText());
            assertTrue(find(d, "workspace-command-output").getText().contains("step-10 of the build"));
            waitFor(d, "the answer", () -> find(d, "timeline").getText().contains("The build passed."));
        } finally {
            d.quit();
        }
    }
}
