package dev.clawless.server.marketplace;

import java.lang.ref.WeakReference;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Installations as a tenant uses them: the reactor-built plugins uploaded, approved and installed per tenant; tools
 * in that tenant's turns only; upgrade and rollback per tenant; hot unload down to a collectable class loader.
 */
class PluginInstallationServerTest {

    private static final String SCOPES = "[\"plugins:admin\",\"chat\",\"tenant:admin\",\"conversations:read\","
            + "\"conversations:write\",\"channels:admin\"]";
    private static WireMockServer fake;
    private static TestHub hub;
    private static String publisher;

    @BeforeAll
    static void start() {
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
        Map<String, String> env = new HashMap<>(Map.of("CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-x",
                "CLAWLESS_PROVIDERS_OPENAI_BASE_URL", fake.baseUrl() + "/v1",
                "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-test",
                "CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
        hub = TestHub.start(env);
        publisher = hub.key(hub.tenant("Publisher"), "[\"plugins:admin\"]");
        byte[] template = PluginKit.built("plugin-template");
        PluginKit.publish(hub, publisher, template);
        PluginKit.publish(hub, publisher, PluginKit.withVersion(template, "2.0.0"));
        PluginKit.publish(hub, publisher, PluginKit.built("http-tools"));
        PluginKit.publish(hub, publisher, PluginKit.built("github-tools"));
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

    private static String tenantKey(String name, boolean openAi) {
        return PluginKit.tenantKey(hub, name, SCOPES, openAi);
    }

    private static JsonNode install(String key, String plugin, String version, String config, String secrets) {
        return PluginKit.install(hub, key, plugin, version, config, secrets);
    }

    private static HttpResponse<String> ask(String key, String text) {
        return PluginKit.ask(hub, key, text);
    }

    /** The tool names the model was offered in the last chat request. */
    private static List<String> offeredTools() {
        List<LoggedRequest> calls = fake.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions")));
        JsonNode body = json(calls.get(calls.size() - 1).getBodyAsString());
        List<String> names = new java.util.ArrayList<>();
        body.path("tools").forEach(t -> names.add(t.at("/function/name").asText()));
        return names;
    }

    private static List<String> loaded() {
        return hub.hub().installations().runtime().loadedVersions();
    }

    @Test
    void installUpgradeRollbackAndUninstallPerTenantWithoutARestart() throws Exception {
        String a = tenantKey("Tenant A", true);
        String b = tenantKey("Tenant B", true);
        JsonNode ia = install(a, "hello-template", "1.0.0", "{\"greeting\":\"Ahoy\"}", "{}");
        assertEquals("active", ia.get("status").asText(), ia.toString());
        assertEquals("hello", ia.at("/tools/0/name").asText());
        JsonNode ib = install(b, "hello-template", "1.0.0", "{}", "{}");
        assertEquals(List.of("hello-template@1.0.0"), loaded()); // one class loader for both tenants

        // A's assistant calls the tool and gets A's configured greeting
        PluginKit.modelCallsThenAnswers(fake, "hello", "{\"name\":\"Ada\"}", "Done.");
        HttpResponse<String> r = ask(a, "greet Ada");
        assertEquals(200, r.statusCode(), r.body());
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("Ahoy, Ada!")));

        JsonNode catalog = json(hub.call("GET", "/v1/marketplace/plugins/hello-template", a, null));
        assertEquals(2, catalog.get("installs").asInt(), catalog.toString());

        // upgrade A only
        HttpResponse<String> up = hub.call("PATCH", "/v1/plugins/installations/" + ia.get("id").asText(), a,
                "{\"version\":\"2.0.0\"}");
        assertEquals(200, up.statusCode(), up.body());
        assertEquals("2.0.0", json(up).get("version").asText());
        assertEquals("1.0.0", json(hub.call("GET", "/v1/plugins/installations/" + ib.get("id").asText(), b, null))
                .get("version").asText());
        assertEquals(List.of("hello-template@1.0.0", "hello-template@2.0.0"), loaded());
        ClassLoader v1 = hub.hub().installations().runtime().classLoader("hello-template", "1.0.0").orElseThrow();
        ClassLoader v2 = hub.hub().installations().runtime().classLoader("hello-template", "2.0.0").orElseThrow();
        assertNotSame(v1, v2);
        assertTrue(hub.admin("GET", "/admin/audit?action=plugin.version_changed", null).body()
                .contains(ia.get("id").asText()));

        // rollback A: 2.0.0 has no tenant left and is unloaded; its class loader becomes collectable
        WeakReference<ClassLoader> weak = new WeakReference<>(v2);
        v2 = null;
        assertEquals(200, hub.call("PATCH", "/v1/plugins/installations/" + ia.get("id").asText(), a,
                "{\"version\":\"1.0.0\"}").statusCode());
        assertEquals(List.of("hello-template@1.0.0"), loaded());
        assertCollected(weak);

        // disable hides the tool, enable brings it back
        assertEquals("disabled", json(hub.call("PATCH", "/v1/plugins/installations/" + ia.get("id").asText(), a,
                "{\"enabled\":false}")).get("status").asText());
        fake.resetAll();
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream").withBody(PluginKit.textStream("Hi."))));
        ask(a, "hello?");
        assertFalse(offeredTools().contains("hello"), offeredTools().toString());
        assertEquals("active", json(hub.call("PATCH", "/v1/plugins/installations/" + ia.get("id").asText(), a,
                "{\"enabled\":true}")).get("status").asText());
        ask(a, "hello?");
        assertTrue(offeredTools().contains("hello"));

        // uninstall both: the tool is gone for A at once, nothing stays loaded
        assertEquals(204, hub.call("DELETE", "/v1/plugins/installations/" + ia.get("id").asText(), a, null)
                .statusCode());
        ask(a, "hello?");
        assertFalse(offeredTools().contains("hello"));
        WeakReference<ClassLoader> weakV1 = new WeakReference<>(v1);
        v1 = null;
        assertEquals(204, hub.call("DELETE", "/v1/plugins/installations/" + ib.get("id").asText(), b, null)
                .statusCode());
        assertEquals(List.of(), loaded());
        assertCollected(weakV1);
        assertEquals(0, json(hub.call("GET", "/v1/plugins/installations", a, null)).get("data").size());
    }

    private static void assertCollected(WeakReference<ClassLoader> weak) throws InterruptedException {
        for (int i = 0; i < 50 && weak.get() != null; i++) {
            System.gc();
            byte[][] pressure = new byte[16][];
            for (int j = 0; j < pressure.length; j++) {
                pressure[j] = new byte[1024 * 1024];
            }
            Thread.sleep(100);
        }
        assertNull(weak.get(), "the unloaded plugin's class loader is still reachable");
    }

    @Test
    void toolsAreOnlyInTheInstallingTenantsTurnsAndMutatingOnesWaitForApproval() throws Exception {
        String a = tenantKey("Http A", true);
        String b = tenantKey("Http B", true);
        String tools = "[{\"name\":\"get_order\",\"description\":\"Look up an order\",\"url\":\"" + fake.baseUrl()
                + "/shop/orders/{id}\",\"parameters\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}}},"
                + "\"headers\":{\"Authorization\":\"Bearer {{secret.api_token}}\"}},"
                + "{\"name\":\"refund_order\",\"description\":\"Refund an order\",\"method\":\"POST\",\"url\":\""
                + fake.baseUrl() + "/shop/refunds\"}]";
        JsonNode ia = install(a, "http-tools", "1.0.0", "{\"tools\":" + tools + "}", "{\"api_token\":\"shop-secret-1\"}");
        assertEquals("active", ia.get("status").asText(), ia.toString());
        assertEquals("[\"api_token\"]", ia.get("secrets").toString());
        assertTrue(ia.at("/tools/1/mutating").asBoolean());

        // read-only: runs at once, with the granted secret
        fake.stubFor(get(urlPathEqualTo("/shop/orders/A17")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"state\":\"shipped\"}")));
        PluginKit.modelCallsThenAnswers(fake, "get_order", "{\"id\":\"A17\"}", "It shipped.");
        HttpResponse<String> r = ask(a, "where is A17?");
        assertEquals(200, r.statusCode(), r.body());
        fake.verify(getRequestedFor(urlEqualTo("/shop/orders/A17"))
                .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer shop-secret-1")));
        assertTrue(offeredTools().contains("get_order"));

        // mutating: waits for the operator, runs once approved
        fake.resetAll();
        fake.stubFor(post(urlEqualTo("/shop/refunds")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"refund\":\"R1\"}")));
        PluginKit.modelCallsThenAnswers(fake, "refund_order", "{\"order\":\"A17\"}", "Refunded.");
        HttpResponse<String> paused = ask(a, "refund A17");
        assertEquals(202, paused.statusCode(), paused.body());
        fake.verify(0, postRequestedFor(urlEqualTo("/shop/refunds")));
        String approval = json(paused).get("approval_id").asText();
        assertEquals(200, hub.call("POST", "/v1/approvals/" + approval + "/approve", a, null).statusCode());
        long end = System.currentTimeMillis() + 20_000;
        while (fake.findAll(postRequestedFor(urlEqualTo("/shop/refunds"))).isEmpty()
                && System.currentTimeMillis() < end) {
            Thread.sleep(100);
        }
        fake.verify(1, postRequestedFor(urlEqualTo("/shop/refunds")));
        JsonNode inUse = json(hub.call("GET", "/v1/plugins/installations/" + ia.get("id").asText(), a, null))
                .get("in_use");
        assertEquals(0, inUse.get("channel_connections").asInt(), inUse.toString());
        assertEquals("get_order", inUse.at("/tools/0/name").asText(), inUse.toString());
        assertEquals(1, inUse.at("/tools/0/calls_last_30_days").asLong(), inUse.toString());
        assertFalse(inUse.at("/tools/0/last_called_at").isNull(), inUse.toString());
        assertEquals("refund_order", inUse.at("/tools/1/name").asText(), inUse.toString());

        // tenant B never sees A's tools and cannot touch A's installation
        fake.resetAll();
        fake.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream").withBody(PluginKit.textStream("Hi."))));
        ask(b, "where is A17?");
        assertFalse(offeredTools().contains("get_order"), offeredTools().toString());
        assertEquals(0, json(hub.call("GET", "/v1/plugins/installations", b, null)).get("data").size());
        assertEquals(404, hub.call("GET", "/v1/plugins/installations/" + ia.get("id").asText(), b, null).statusCode());
        assertEquals(404, hub.call("DELETE", "/v1/plugins/installations/" + ia.get("id").asText(), b, null)
                .statusCode());
    }

    @Test
    void githubToolsOpenAnIssueAfterApproval() throws Exception {
        String a = tenantKey("GitHub A", true);
        JsonNode ia = install(a, "github-tools", "1.0.0", "{\"repository\":\"acme/app\",\"api_base_url\":\""
                + fake.baseUrl() + "\"}", "{\"token\":\"ghp_abc\"}");
        assertEquals("active", ia.get("status").asText(), ia.toString());
        assertEquals(4, ia.get("tools").size());
        fake.stubFor(get(urlEqualTo("/repos/acme/app")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":1,\"name\":\"app\","
                        + "\"full_name\":\"acme/app\",\"default_branch\":\"main\",\"url\":\"" + fake.baseUrl()
                        + "/repos/acme/app\"}")));
        fake.stubFor(post(urlEqualTo("/repos/acme/app/issues")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":70,\"number\":7,\"title\":\"Login"
                        + " fails\",\"html_url\":\"https://github.com/acme/app/issues/7\"}")));
        PluginKit.modelCallsThenAnswers(fake, "github_create_issue", "{\"title\":\"Login fails\"}", "Filed #7.");
        HttpResponse<String> paused = ask(a, "file a bug: login fails");
        assertEquals(202, paused.statusCode(), paused.body());
        fake.verify(0, postRequestedFor(urlEqualTo("/repos/acme/app/issues")));
        assertEquals(200, hub.call("POST", "/v1/approvals/" + json(paused).get("approval_id").asText() + "/approve",
                a, null).statusCode());
        long end = System.currentTimeMillis() + 20_000;
        while (fake.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing("issues/7"))).isEmpty() && System.currentTimeMillis() < end) {
            Thread.sleep(100);
        }
        fake.verify(1, postRequestedFor(urlEqualTo("/repos/acme/app/issues"))
                .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("token ghp_abc")));
        fake.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("issues/7")));
    }

    @Test
    void invalidInstallationsAreRefusedWithTheReason() {
        String a = tenantKey("Invalid A", false);
        String b = tenantKey("Invalid B", false);
        HttpResponse<String> r = hub.call("POST", "/v1/plugins/installations", a,
                "{\"plugin_id\":\"hello-template\",\"version\":\"1.0.0\",\"config\":{\"colour\":\"red\"}}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("config.colour"), r.body());
        r = hub.call("POST", "/v1/plugins/installations", a, "{\"plugin_id\":\"hello-template\",\"version\":\"1.0.0\","
                + "\"secrets\":{\"aws_key\":\"x\"}}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("not a secret this plugin declares"), r.body());
        assertEquals(404, hub.call("POST", "/v1/plugins/installations", a,
                "{\"plugin_id\":\"hello-template\",\"version\":\"9.9.9\"}").statusCode());
        assertEquals(404, hub.call("POST", "/v1/plugins/installations", a,
                "{\"plugin_id\":\"nope\",\"version\":\"1.0.0\"}").statusCode());
        r = hub.call("POST", "/v1/plugins/installations", a, "{\"plugin_id\":\"github-tools\",\"version\":\"1.0.0\","
                + "\"config\":{\"repository\":\"acme/app\",\"api_base_url\":\"ftp://x\"}}");
        assertEquals(400, r.statusCode(), r.body());
        JsonNode ok = install(a, "hello-template", "1.0.0", "{}", "{}");
        assertEquals(409, hub.call("POST", "/v1/plugins/installations", a,
                "{\"plugin_id\":\"hello-template\",\"version\":\"1.0.0\"}").statusCode());
        assertEquals(404, hub.call("PATCH", "/v1/plugins/installations/" + ok.get("id").asText(), a,
                "{\"version\":\"3.0.0\"}").statusCode());
        assertEquals(404, hub.call("PATCH", "/v1/plugins/installations/" + ok.get("id").asText(), b,
                "{\"enabled\":false}").statusCode());
        assertEquals(400, hub.call("PATCH", "/v1/plugins/installations/" + ok.get("id").asText(), a,
                "{\"enabled\":\"no\"}").statusCode());
        assertEquals(403, hub.call("GET", "/v1/plugins/installations", hub.key(hub.tenant("Chat only"), "[\"chat\"]"),
                null).statusCode());
        assertEquals(204, hub.call("DELETE", "/v1/plugins/installations/" + ok.get("id").asText(), a, null)
                .statusCode());

        // a tenant deleted with an installation takes it along
        String gone = hub.tenant("Deleted with a plugin");
        String goneKey = hub.key(gone, SCOPES);
        install(goneKey, "hello-template", "1.0.0", "{}", "{}");
        HttpResponse<String> deleted = hub.admin("DELETE", "/admin/tenants/" + gone, null);
        assertTrue(deleted.statusCode() == 204 || deleted.statusCode() == 200, deleted.body());
        hub.hub().installations().reconcile();
        assertTrue(hub.hub().installations().tools(gone).isEmpty());
    }
}
