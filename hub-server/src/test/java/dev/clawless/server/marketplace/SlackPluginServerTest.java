package dev.clawless.server.marketplace;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.Signatures;
import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The slack-channel plugin end to end: installed for one tenant, its channel type is creatable for that tenant only;
 * signed Slack events come in through {@code /hooks/{id}} and the assistant's reply goes out through a fake Slack
 * Web API, in the thread.
 */
class SlackPluginServerTest {

    private static final String SIGNING = "8f742231b10e8888abcd99yyyzzz85a5";
    static WireMockServer slack;
    static TestHub hub;
    private static boolean sandboxed;

    @BeforeAll
    static void start() {
        startWith(Map.of());
    }

    /** Starts the fake Slack and a hub with {@code settings} (a subclass runs the plugin in a sandbox). */
    static void startWith(Map<String, String> settings) {
        sandboxed = "all".equals(settings.get("CLAWLESS_MARKETPLACE_ISOLATION"));
        slack = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        slack.start();
        slack.stubFor(post(urlEqualTo("/api/auth.test")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":true,\"user_id\":\"U0BOT\"}")));
        slack.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"ok\":true,\"channel\":\"C1\",\"ts\":\"1700000099.000100\"}")));
        Map<String, String> env = new java.util.HashMap<>(settings);
        env.put("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true");
        hub = TestHub.start(env);
        PluginKit.publish(hub, hub.key(hub.tenant("Publisher"), "[\"plugins:admin\"]"),
                PluginKit.built("slack-channel"));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (slack != null) {
            slack.stop();
        }
    }

    private static HttpResponse<String> hook(String id, String body, long timestamp, String secret) {
        String signature = "v0=" + Signatures.hmacSha256Hex(secret, ("v0:" + timestamp + ":" + body)
                .getBytes(StandardCharsets.UTF_8));
        return hub.send(hub.request("/hooks/" + id).header("Content-Type", "application/json")
                .header("X-Slack-Request-Timestamp", Long.toString(timestamp)).header("X-Slack-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void aSignedEventIsAnsweredInItsThreadAndOnlyTheInstallingTenantHasTheType() throws Exception {
        String scopes = "[\"plugins:admin\",\"channels:admin\",\"conversations:read\"]";
        String a = hub.key(hub.tenant("Slack A"), scopes);
        String b = hub.key(hub.tenant("Slack B"), scopes);
        HttpResponse<String> installed = hub.call("POST", "/v1/plugins/installations", a,
                "{\"plugin_id\":\"slack-channel\",\"version\":\"1.0.0\"}");
        assertEquals(201, installed.statusCode(), installed.body());
        assertEquals("[\"slack\"]", json(installed).get("channel_types").toString());
        String connection = "{\"type\":\"slack\",\"name\":\"Support Slack\",\"config\":{\"api_base_url\":\""
                + slack.baseUrl() + "/api\"},\"secrets\":{\"signing_secret\":\"" + SIGNING
                + "\",\"bot_token\":\"xoxb-test-token-1234\"}}";
        HttpResponse<String> refused = hub.call("POST", "/v1/channels", b, connection);
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(json(hub.call("GET", "/v1/channels", a, null)).get("types").toString().contains("slack"));
        HttpResponse<String> created = hub.call("POST", "/v1/channels", a, connection);
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();
        slack.verify(postRequestedFor(urlEqualTo("/api/auth.test")).withHeader("Authorization",
                equalTo("Bearer xoxb-test-token-1234")));

        long now = Instant.now().getEpochSecond();
        String challenge = "{\"token\":\"x\",\"challenge\":\"abc123\",\"type\":\"url_verification\"}";
        HttpResponse<String> verified = hook(id, challenge, now, SIGNING);
        assertEquals(200, verified.statusCode(), verified.body());
        assertEquals("abc123", json(verified).get("challenge").asText());
        assertEquals(401, hook(id, challenge, now, "wrong-secret-wrong-secret").statusCode());
        assertEquals(401, hook(id, challenge, now - 600, SIGNING).statusCode());

        String mention = "{\"type\":\"event_callback\",\"team_id\":\"T1\",\"event_id\":\"Ev1\",\"event\":{"
                + "\"type\":\"app_mention\",\"channel\":\"C1\",\"user\":\"U42\",\"text\":\"<@U0BOT> hello there\","
                + "\"ts\":\"1700000002.000300\"}}";
        assertEquals(200, hook(id, mention, now, SIGNING).statusCode());
        assertEquals(200, hook(id, mention, now, SIGNING).statusCode()); // Slack's retry: the same message
        long end = System.currentTimeMillis() + 20_000;
        while (slack.findAll(postRequestedFor(urlEqualTo("/api/chat.postMessage"))).isEmpty()
                && System.currentTimeMillis() < end) {
            Thread.sleep(100);
        }
        slack.verify(1, postRequestedFor(urlEqualTo("/api/chat.postMessage"))
                .withRequestBody(matchingJsonPath("$.channel", equalTo("C1")))
                .withRequestBody(matchingJsonPath("$.thread_ts", equalTo("1700000002.000300"))));
        JsonNode conversations = json(hub.call("GET", "/v1/conversations?channel=slack", a, null)).get("data");
        assertEquals(1, conversations.size(), conversations.toString());
        JsonNode messages = json(hub.call("GET", "/v1/conversations/" + conversations.get(0).get("id").asText()
                + "/messages", a, null)).get("data");
        assertEquals("hello there", messages.get(0).get("text").asText());

        // a channel plugin in use cannot be uninstalled from under its connections, and says so before one tries
        String installation = json(installed).get("id").asText();
        assertEquals(sandboxed, hub.hub().installations().runtime().loadedVersions().contains("slack-channel@1.0.0#"
                + installation), hub.hub().installations().runtime().loadedVersions().toString());
        JsonNode inUse = json(hub.call("GET", "/v1/plugins/installations/" + installation, a, null)).get("in_use");
        assertEquals(1, inUse.get("channel_connections").asInt(), inUse.toString());
        assertEquals("[\"" + id + "\"]", inUse.get("connection_ids").toString());
        JsonNode types = json(hub.call("GET", "/v1/channel-types", a, null)).get("data");
        JsonNode slackType = null;
        for (JsonNode t : types) {
            if (t.get("type").asText().equals("slack")) {
                slackType = t;
            }
        }
        assertEquals(false, slackType.get("built_in").asBoolean(), types.toString());
        assertTrue(slackType.get("required_secrets").toString().contains("signing_secret"), slackType.toString());
        assertFalse(hub.call("GET", "/v1/channel-types", b, null).body().contains("\"slack\""),
                "only the installing tenant has the type");
        HttpResponse<String> busy = hub.call("DELETE", "/v1/plugins/installations/" + installation, a, null);
        assertEquals(409, busy.statusCode(), busy.body());
        assertTrue(busy.body().contains(id), busy.body());
        assertEquals(204, hub.call("DELETE", "/v1/channels/" + id, a, null).statusCode());
        assertEquals(0, json(hub.call("GET", "/v1/plugins/installations/" + installation, a, null))
                .at("/in_use/channel_connections").asInt());
        assertEquals(204, hub.call("DELETE", "/v1/plugins/installations/" + installation, a, null).statusCode());
        assertEquals(400, hub.call("POST", "/v1/channels", a, connection).statusCode());
    }
}
