package dev.clawless.server.marketplace;

import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.example.hostile.ExplodingPlugin;
import com.example.hostile.LocalCallTool;
import com.example.hostile.SlowTool;
import com.example.hostile.ThrowingTool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plugins that misbehave once installed, on a hub that keeps private addresses closed: one whose start throws, tools
 * that call the hub's own network, one outside its declared hosts, one that hangs ignoring interruption, one that
 * throws. Each is contained with a reason; the hub keeps serving.
 */
class HostilePluginServerTest {

    private static final String ANY_HOST = "{\"display_name\":\"Fetcher\",\"description\":\"Fetches.\","
            + "\"hosts\":[\"*\"]}";
    private static final String ONE_HOST = "{\"display_name\":\"Fetcher\",\"description\":\"Fetches.\","
            + "\"hosts\":[\"api.example.com\"]}";
    private static final String PLAIN = "{\"display_name\":\"Plain\",\"description\":\"Plain.\"}";
    private static WireMockServer fake;
    private static TestHub hub;
    private static String publisher;

    @BeforeAll
    static void start() {
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
        hub = TestHub.start(Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-x",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", fake.baseUrl() + "/v1",
                "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-test",
                "CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "false", "CLAWLESS_TOOLS_TIMEOUT", "2s"));
        publisher = hub.key(hub.tenant("Publisher"), "[\"plugins:admin\"]");
        PluginKit.publish(hub, publisher, PluginKit.pack("exploding", "1.0.0", ExplodingPlugin.class.getName(), PLAIN,
                ThrowingTool.class));
        PluginKit.publish(hub, publisher, PluginKit.pack("fetcher", "1.0.0", null, ANY_HOST, LocalCallTool.class));
        PluginKit.publish(hub, publisher, PluginKit.pack("narrow-fetcher", "1.0.0", null, ONE_HOST,
                LocalCallTool.class));
        PluginKit.publish(hub, publisher, PluginKit.pack("rude", "1.0.0", null, PLAIN, SlowTool.class,
                ThrowingTool.class));
    }

    @AfterAll
    static void stop() {
        hub.close();
        fake.stop();
    }

    @BeforeEach
    void reset() {
        fake.resetAll();
    }

    private static String tenantKey(String name) {
        return PluginKit.tenantKey(hub, name, "[\"plugins:admin\",\"chat\",\"tenant:admin\",\"conversations:read\","
                + "\"conversations:write\"]", true);
    }

    private static JsonNode install(String key, String plugin) {
        return PluginKit.install(hub, key, plugin, "1.0.0", "{}", "{}");
    }

    private static HttpResponse<String> ask(String key, String text) {
        return PluginKit.ask(hub, key, text);
    }

    private static void stillServing() {
        assertEquals(200, hub.call("GET", "/health/ready", null, null).statusCode());
    }

    @Test
    void aPluginThatThrowsOnStartIsMarkedFailedWithTheReason() {
        String key = tenantKey("Exploding");
        JsonNode i = install(key, "exploding");
        assertEquals("failed", i.get("status").asText(), i.toString());
        assertTrue(i.get("failure").asText().contains("boom: the licence server is unreachable"), i.toString());
        assertEquals(0, i.get("tools").size());
        assertTrue(hub.hub().installations().runtime().loadedVersions().stream().noneMatch(v -> v.startsWith(
                "exploding")));
        assertEquals("failed", json(hub.call("GET", "/v1/plugins/installations/" + i.get("id").asText(), key, null))
                .get("status").asText());
        stillServing();
        assertEquals(204, hub.call("DELETE", "/v1/plugins/installations/" + i.get("id").asText(), key, null)
                .statusCode());
    }

    @Test
    void aToolCallingTheHubsOwnNetworkGetsAToolErrorAndNothingIsSent() {
        String key = tenantKey("Fetcher");
        install(key, "fetcher");
        PluginKit.modelCallsThenAnswers(fake, "fetch_url", "{\"url\":\"http://127.0.0.1:" + fake.port()
                + "/internal/admin\"}", "I could not fetch it.");
        HttpResponse<String> r = ask(key, "fetch the admin page");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("I could not fetch it.", json(r).at("/choices/0/message/content").asText());
        fake.verify(0, anyRequestedFor(urlPathEqualTo("/internal/admin")));
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(
                containing("loopback, private, link-local")));
        stillServing();
    }

    @Test
    void aToolOutsideItsDeclaredHostsIsRefused() {
        String key = tenantKey("Narrow");
        install(key, "narrow-fetcher");
        fake.stubFor(any(urlPathEqualTo("/public")).willReturn(aResponse().withStatus(200).withBody("hello")));
        PluginKit.modelCallsThenAnswers(fake, "fetch_url", "{\"url\":\"http://localhost:" + fake.port()
                + "/public\"}", "Refused.");
        assertEquals(200, ask(key, "fetch it").statusCode());
        fake.verify(0, anyRequestedFor(urlPathEqualTo("/public")));
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(
                containing("did not declare the host localhost")));
    }

    @Test
    void aHangingOrThrowingToolBecomesAToolErrorAndTheTurnFinishes() {
        String key = tenantKey("Rude");
        assertEquals("in-process", install(key, "rude").get("isolation").asText());
        PluginKit.modelCallsThenAnswers(fake, "slow_tool", "{}", "It timed out.");
        long start = System.nanoTime();
        HttpResponse<String> r = ask(key, "do the slow thing");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue((System.nanoTime() - start) / 1_000_000_000 < 30, "the turn waited for the hanging tool");
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(
                containing("did not finish within 2 s")));

        fake.resetAll();
        PluginKit.modelCallsThenAnswers(fake, "throwing_tool", "{}", "It failed.");
        assertEquals(200, ask(key, "do the failing thing").statusCode());
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(
                containing("database of the plugin is on fire")));
        stillServing();
    }
}
