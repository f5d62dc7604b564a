package dev.clawless.server.console;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;

import dev.clawless.server.Browser;
import dev.clawless.server.Chromium;
import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static dev.clawless.server.console.Pages.accessibilityViolations;
import static dev.clawless.server.console.Pages.find;
import static dev.clawless.server.console.Pages.openConversation;
import static dev.clawless.server.console.Pages.screenshot;
import static dev.clawless.server.console.Pages.type;
import static dev.clawless.server.console.Pages.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In headless Chromium: an operator opens a Messenger conversation whose contact last wrote 25 hours ago, is told the
 * assistant can no longer reply but a person can (until when), replies, and the reply goes out tagged
 * {@code HUMAN_AGENT}.
 */
class ReplyWindowBrowserTest {

    private static final String SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    private static TestHub hub;
    private static WireMockServer meta;

    @BeforeAll
    static void start() {
        Chromium.requireOrSkip();
        meta = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        meta.start();
        meta.stubFor(post(urlEqualTo("/v21.0/me/messages")).willReturn(okJson(
                "{\"recipient_id\":\"6783412938478812\",\"message_id\":\"m_" + System.nanoTime() + "\"}")));
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (meta != null) {
            meta.stop();
        }
    }

    @Test
    void anOperatorSeesTheWindowAndRepliesAsAPerson() throws Exception {
        Browser.firstAdmin(hub, "root@ops.example");
        String tenant = hub.tenant("Agencia Web");
        String key = hub.key(tenant, "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        HttpResponse<String> created = hub.call("POST", "/v1/channels", key, "{\"type\":\"messenger\",\"name\":"
                + "\"Página de Facebook\",\"config\":{\"page_id\":\"108117524567325\",\"api_base_url\":\""
                + meta.baseUrl() + "\"},\"secrets\":{\"page_access_token\":\"EAAPtoken\",\"app_secret\":\"" + SECRET
                + "\",\"verify_token\":\"v\"}}");
        assertEquals(201, created.statusCode(), created.body());
        String connection = json(created).get("id").asText();
        byte[] body;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/messenger/text.json")) {
            body = in.readAllBytes();
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertEquals(200, hub.send(hub.request("/hooks/" + connection).header("Content-Type", "application/json")
                .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))).statusCode());
        TestHub.await("the assistant's reply", () -> !meta.findAll(postRequestedFor(urlEqualTo("/v21.0/me/messages"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.message")))
                .isEmpty());
        String cid = json(hub.call("GET", "/v1/conversations?channel=messenger", key, null)).get("data").get(0)
                .get("id").asText();
        hub.hub().database().execute().createUpdate("UPDATE messages SET created_at = ? WHERE conversation_id = ?")
                .params(Instant.now().minus(Duration.ofHours(25)).atOffset(java.time.ZoneOffset.UTC), cid).execute();

        ChromeDriver d = Chromium.start(1280, 900);
        try {
            openConversation(d, hub, "root@ops.example", tenant, cid);
            waitFor(d, "the window notice", () -> find(d, "reply-window").getAttribute("data-state").equals("human"));
            assertTrue(find(d, "reply-window").getText().contains("the assistant can no longer reply here"),
                    find(d, "reply-window").getText());
            type(d, "reply-box", "Hola, soy Ana del equipo. ¿Seguimos con tu cotización?");
            find(d, "send").click();
            TestHub.await("the tagged reply", () -> meta.findAll(postRequestedFor(urlEqualTo("/v21.0/me/messages"))
                    .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.tag",
                            com.github.tomakehurst.wiremock.client.WireMock.equalTo("HUMAN_AGENT")))).size() == 1);
            waitFor(d, "the reply in the timeline", () -> find(d, "timeline").getText().contains("Soy Ana")
                    || find(d, "timeline").getText().contains("soy Ana"));
            screenshot(d, "console-reply-window.png");
            assertEquals(List.of(), accessibilityViolations(d), "a conversation past its window");
        } finally {
            d.quit();
        }
    }
}
