package dev.clawless.server.channels;

import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.clawless.server.channels.ChannelKit.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The webhook path keeps connections (and their unsealed secrets) in a per-node cache: every change made through the
 * API is seen by the very next webhook.
 */
class ConnectionCacheServerTest {

    private static final String HEADER = "X-Telegram-Bot-Api-Secret-Token";
    private static final String OLD = "old-secret-0123456789";
    private static final String NEW = "new-secret-9876543210";

    private static WireMockServer telegram;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        telegram = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        telegram.start();
        telegram.stubFor(post(urlMatching("/bot.*/(setWebhook|deleteWebhook|sendChatAction)"))
                .willReturn(okJson("{\"ok\":true,\"result\":true}")));
        telegram.stubFor(post(urlMatching("/bot.*/sendmessage")).willReturn(okJson("{\"ok\":true,\"result\":"
                + "{\"message_id\":7,\"date\":1736935300,\"chat\":{\"id\":1,\"type\":\"private\"},\"text\":\"x\"}}")));
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        telegram.stop();
    }

    private static String[] connected(String name, String token) {
        String key = hub.key(hub.tenant(name), "[\"channels:admin\",\"conversations:read\"]");
        JsonNode c = ChannelKit.connect(hub, key, "{\"type\":\"telegram\",\"config\":{\"mode\":\"webhook\","
                + "\"api_base_url\":\"" + telegram.baseUrl() + "\"},\"secrets\":{\"bot_token\":\"" + token
                + "\",\"webhook_secret\":\"" + OLD + "\"}}");
        return new String[] {key, c.get("id").asText()};
    }

    private static int update(String connectionId, String secret) {
        return ChannelKit.hook(hub, connectionId, "application/json", fixture("telegram", "private_text.json"),
                HEADER, secret).statusCode();
    }

    @Test
    void aRotatedSecretIsTheOneTheNextWebhookIsVerifiedWith() {
        String[] t = connected("Cache rotate", "800001:CACHE-token_a");
        assertEquals(200, update(t[1], OLD)); // cached now
        HttpResponse<String> r = hub.call("PATCH", "/v1/channels/" + t[1], t[0],
                "{\"secrets\":{\"webhook_secret\":\"" + NEW + "\"}}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(200, update(t[1], NEW));
        assertEquals(401, update(t[1], OLD));
        assertEquals(200, update(t[1], NEW));
    }

    @Test
    void aDeletedOrDisabledConnectionIsNotFoundByTheNextWebhook() {
        String[] t = connected("Cache delete", "800002:CACHE-token_b");
        assertEquals(200, update(t[1], OLD));
        assertEquals(204, hub.call("DELETE", "/v1/channels/" + t[1], t[0], null).statusCode());
        assertEquals(404, update(t[1], OLD));

        String[] d = connected("Cache disable", "800003:CACHE-token_c");
        assertEquals(200, update(d[1], OLD));
        assertEquals(200, hub.call("PATCH", "/v1/channels/" + d[1], d[0], "{\"enabled\":false}").statusCode());
        assertEquals(404, update(d[1], OLD));
        assertEquals(200, hub.call("PATCH", "/v1/channels/" + d[1], d[0], "{\"enabled\":true}").statusCode());
        assertEquals(200, update(d[1], OLD));
    }
}
