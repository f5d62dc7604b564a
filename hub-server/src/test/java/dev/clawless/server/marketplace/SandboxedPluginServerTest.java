package dev.clawless.server.marketplace;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import com.example.hostile.SlowTool;
import com.example.sandboxed.BombTool;
import com.example.sandboxed.EchoTool;
import com.example.sandboxed.EscapeTool;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.marketplace.PluginRuntime;
import dev.clawless.core.marketplace.sandbox.SandboxedPlugin;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.server.Bubblewrap;
import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Third-party plugins in sandboxes (bubblewrap, a child JVM each), on a hub that keeps private addresses closed:
 * purpose-built hostile plugins try the network, the files, the environment, processes, memory and threads, or
 * never answer. Each attempt is contained with a reason, the hub keeps serving and another tenant's sandboxed plugin
 * keeps answering.
 */
class SandboxedPluginServerTest {

    private static final String ANY_HOST = "{\"display_name\":\"Escaper\",\"description\":\"Gets out.\","
            + "\"hosts\":[\"*\"]}";
    private static final String PLAIN = "{\"display_name\":\"Plain\",\"description\":\"Plain.\","
            + "\"secrets\":[\"token\"]}";
    private static WireMockServer fake;
    private static TestHub hub;
    private static String escaper;
    private static String bomber;
    private static String echoer;
    private static String bomberInstallation;

    @BeforeAll
    static void start() {
        Bubblewrap.requireOrSkip();
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
        fake.stubFor(any(urlPathEqualTo("/secret")).willReturn(aResponse().withStatus(200).withBody("admin")));
        hub = TestHub.start(Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-x",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", fake.baseUrl() + "/v1",
                "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-test",
                "CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "false", "CLAWLESS_TOOLS_TIMEOUT", "3s",
                "CLAWLESS_MARKETPLACE_ISOLATION", "third-party",
                "CLAWLESS_MARKETPLACE_SANDBOX_MEMORY", "64MiB",
                "CLAWLESS_MARKETPLACE_SANDBOX_MAX_PROCESSES", "96",
                "CLAWLESS_MARKETPLACE_SANDBOX_CALL_TIMEOUT", "6s"));
        String publisher = hub.key(hub.tenant("Publisher"), "[\"plugins:admin\"]");
        PluginKit.publish(hub, publisher, PluginKit.pack("escaper", "1.0.0", null, ANY_HOST, EscapeTool.class));
        PluginKit.publish(hub, publisher, PluginKit.pack("bomber", "1.0.0", null, PLAIN, BombTool.class,
                SlowTool.class, EchoTool.class));
        PluginKit.publish(hub, publisher, PluginKit.pack("echoer", "1.0.0", null, PLAIN, EchoTool.class));
        escaper = tenantKey("Escaper");
        PluginKit.install(hub, escaper, "escaper", "1.0.0", "{}", "{}");
        bomber = tenantKey("Bomber");
        bomberInstallation = PluginKit.install(hub, bomber, "bomber", "1.0.0", "{}", "{\"token\":\"bomber-secret\"}")
                .get("id").asText();
        echoer = tenantKey("Echoer");
        PluginKit.install(hub, echoer, "echoer", "1.0.0", "{}", "{\"token\":\"echo-secret-123\"}");
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

    private static String tenantKey(String name) {
        return PluginKit.tenantKey(hub, name, "[\"plugins:admin\",\"chat\",\"tenant:admin\",\"conversations:read\","
                + "\"conversations:write\"]", true);
    }

    private static String tenantOf(String key) {
        return json(hub.call("GET", "/v1/tenant", key, null)).get("id").asText();
    }

    /** Calls one of the tenant's installed tools as a turn would. */
    private static ToolResult run(String key, String tool, String args) {
        return PluginKit.invoke(hub, tenantOf(key), tool, args);
    }

    private static SandboxedPlugin sandboxOf(String pluginId) {
        PluginRuntime runtime = hub.hub().installations().runtime();
        return runtime.sandboxFor(pluginId).orElseThrow(() -> new AssertionError(pluginId + " is not sandboxed: "
                + runtime.loadedVersions()));
    }

    private static void stillServing() {
        assertEquals(200, hub.call("GET", "/health/ready", null, null).statusCode());
        ToolResult echo = run(echoer, "echo", "{}");
        assertFalse(echo.error(), echo.content());
        assertTrue(echo.content().contains("token length 15"), echo.content());
    }

    private static void escapes(String how, String target, String expected) {
        ToolResult r = run(escaper, "escape", "{\"how\":\"" + how + "\",\"target\":\"" + target + "\"}");
        assertFalse(r.content().contains("ESCAPED"), how + " " + target + ": " + r.content());
        assertTrue(r.content().contains(expected), how + " " + target + ": " + r.content());
    }

    @Test
    void aSandboxedPluginRunsInItsOwnProcessAndGetsOnlyItsGrants() {
        ToolResult echo = run(echoer, "echo", "{}");
        assertFalse(echo.error(), echo.content());
        long pid = sandboxOf("echoer").pid().orElseThrow();
        assertNotEquals(ProcessHandle.current().pid(), pid);
        assertTrue(echo.content().contains("for " + tenantOf(echoer)), echo.content());
        assertTrue(echo.content().contains("token length 15"), echo.content());
        // its own pid namespace: the plugin sees itself as one of the first processes there
        long inside = Long.parseLong(echo.content().replaceAll("echo from pid (\\d+).*", "$1"));
        assertTrue(inside < 10, echo.content());
    }

    @Test
    void theNetworkIsClosedExceptThroughTheHubsGuard() {
        // a raw socket: there is no route out of the sandbox's own network namespace
        escapes("socket", "127.0.0.1:" + hub.hub().port(), "contained");
        escapes("socket", "169.254.169.254:80", "contained");
        escapes("socket", "127.0.0.1:" + fake.port(), "contained");
        // HTTP without ToolContext.http goes through the hub's egress, which refuses internal addresses
        escapes("http", "http://169.254.169.254/latest/meta-data/", "status 403");
        escapes("http", "http://127.0.0.1:" + fake.port() + "/secret", "status 403");
        escapes("http", "https://127.0.0.1:" + fake.port() + "/secret", "contained");
        escapes("http", "http://localhost:" + fake.port() + "/secret", "loopback, private");
        fake.verify(0, anyRequestedFor(urlPathEqualTo("/secret")));
        assertTrue(sandboxOf("escaper").refusals() >= 4, "refusals " + sandboxOf("escaper").refusals());
        stillServing();
    }

    @Test
    void theHubsFilesAndEnvironmentAreNotThere() {
        Path data = hub.hub().config().dataDir();
        escapes("file", "/etc/passwd", "NoSuchFileException");
        escapes("list", data.toString(), "NoSuchFileException");
        escapes("file", data.resolve("master.key").toString(), "NoSuchFileException");
        escapes("list", "/etc", "NoSuchFileException");
        escapes("file", "/proc/1/environ", "empty: 0 chars"); // the sandbox's first process has no environment
        escapes("write", "/usr/lib/evil", "contained");
        escapes("write", Path.of(System.getProperty("java.home"), "evil").toString(), "contained");
        escapes("exec", "/bin/sh", "contained");
        ToolResult env = run(escaper, "escape", "{\"how\":\"env\",\"target\":\"\"}");
        assertFalse(env.content().contains("CLAWLESS"), env.content());
        assertFalse(env.content().contains("PATH,") || env.content().contains("JAVA_HOME"), env.content());
        stillServing();
    }

    @Test
    void memoryAndThreadBombsAndAHangAreStoppedAndTheSandboxStartsAgain() throws Exception {
        SandboxedPlugin sandbox = sandboxOf("bomber");
        assertFalse(run(bomber, "echo", "{}").error());
        long before = sandbox.restarts();

        ToolResult heap = run(bomber, "bomb", "{\"what\":\"heap\"}");
        assertTrue(heap.error(), heap.content());
        assertTrue(heap.content().contains("ran out of memory"), heap.content());
        stillServing();

        ToolResult echo = runWhenRestarted("echo");
        assertTrue(echo.content().contains("token length 13"), echo.content());

        ToolResult threads = run(bomber, "bomb", "{\"what\":\"threads\"}");
        assertTrue(threads.error(), threads.content());
        assertTrue(threads.content().contains("ran out of memory or threads"), threads.content());
        stillServing();
        runWhenRestarted("echo");

        long start = System.nanoTime();
        ToolResult slow = run(bomber, "slow_tool", "{}");
        assertTrue(slow.error(), slow.content());
        assertTrue(slow.content().contains("did not answer tool.invoke within 6 s"), slow.content());
        assertTrue((System.nanoTime() - start) / 1_000_000_000 < 20, "the hang was not cut short");
        stillServing();
        runWhenRestarted("echo");
        assertTrue(sandbox.restarts() >= before + 3, "restarts " + sandbox.restarts());
        com.fasterxml.jackson.databind.JsonNode view = json(hub.call("GET", "/v1/plugins/installations/"
                + bomberInstallation, bomber, null));
        assertEquals("sandboxed", view.get("isolation").asText(), view.toString());
        assertEquals("active", view.get("status").asText(), view.toString());
        assertTrue(view.at("/sandbox/restarts").asLong() >= 3, view.toString());
    }

    @Test
    void aPluginBlowingUpInATurnBecomesAToolErrorAndTheTurnFinishes() throws Exception {
        runWhenRestarted("echo");
        fake.resetAll();
        PluginKit.modelCallsThenAnswers(fake, "bomb", "{\"what\":\"heap\"}", "It blew up.");
        HttpResponse<String> r = PluginKit.ask(hub, bomber, "take everything");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("It blew up.", json(r).at("/choices/0/message/content").asText());
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(
                containing("ran out of memory")));
        stillServing();
    }

    /** The next successful call of {@code tool}, once the stopped sandbox's backoff has passed. */
    private static ToolResult runWhenRestarted(String tool) throws InterruptedException {
        long end = System.currentTimeMillis() + 90_000;
        ToolResult r = run(bomber, tool, "{}");
        while (r.error() && System.currentTimeMillis() < end) {
            Thread.sleep(250);
            r = run(bomber, tool, "{}");
        }
        assertFalse(r.error(), r.content());
        return r;
    }

}
