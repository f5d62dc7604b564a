package dev.clawless.server.observe;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import dev.clawless.server.TestHub;

/**
 * A Telegram Bot API in WireMock that accepts the hub's webhook registration, typing indicator and replies, and the
 * two steps the observability tests take with it: connect a bot in webhook mode, send it a signed private message.
 * Other stubs (a webhook receiver, an OTLP collector) go on the same server.
 */
final class FakeTelegram {

    private FakeTelegram() {
    }

    static WireMockServer start() {
        WireMockServer fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
        fake.stubFor(post(urlMatching("/bot[^/]+/(setWebhook|sendChatAction)"))
                .willReturn(okJson("{\"ok\":true,\"result\":true}")));
        fake.stubFor(post(urlMatching("/bot[^/]+/sendmessage")).willReturn(okJson("{\"ok\":true,\"result\":"
                + "{\"message_id\":77,\"date\":1765000000,\"chat\":{\"id\":4242,\"type\":\"private\"},\"text\":\"ok\"}}")));
        return fake;
    }

    /** Connects a bot of this fake to the tenant of {@code key}; the connection's id. */
    static String connect(TestHub hub, String key, WireMockServer fake, String token, String secret) {
        HttpResponse<String> c = hub.call("POST", "/v1/channels", key, "{\"type\":\"telegram\",\"name\":\"Bot\","
                + "\"config\":{\"mode\":\"webhook\",\"api_base_url\":\"" + fake.baseUrl() + "\"},\"secrets\":"
                + "{\"bot_token\":\"" + token + "\",\"webhook_secret\":\"" + secret + "\"}}");
        assertEquals(201, c.statusCode(), c.body());
        return json(c).get("id").asText();
    }

    /** POSTs a private text message to the connection's webhook, signed; {@code headers} are name, value, …. */
    static int message(TestHub hub, String connection, String secret, int updateId, String text, String... headers) {
        String update = "{\"update_id\":" + updateId + ",\"message\":{\"message_id\":" + updateId + ",\"from\":"
                + "{\"id\":4242,\"is_bot\":false,\"first_name\":\"Ana\"},\"chat\":{\"id\":4242,\"type\":\"private\","
                + "\"first_name\":\"Ana\"},\"date\":1765000000,\"text\":\"" + text + "\"}}";
        HttpRequest.Builder request = hub.request("/hooks/" + connection).header("Content-Type", "application/json")
                .header("X-Telegram-Bot-Api-Secret-Token", secret);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return hub.send(request.POST(HttpRequest.BodyPublishers.ofString(update, StandardCharsets.UTF_8)))
                .statusCode();
    }
}
