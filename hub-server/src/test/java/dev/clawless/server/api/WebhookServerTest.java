package dev.clawless.server.api;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outbound webhooks: signed, retried, logged, and never sent to internal addresses. */
class WebhookServerTest {

    private static WireMockServer receiver;
    private static TestHub hub;
    private static TestHub strictHub;

    @BeforeAll
    static void start() {
        receiver = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        receiver.start();
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
        strictHub = TestHub.start();
    }

    @AfterAll
    static void stop() {
        hub.close();
        strictHub.close();
        receiver.stop();
    }

    @BeforeEach
    void reset() {
        receiver.resetAll();
    }

    private static String[] subscribe(TestHub h, String path, String events) {
        String key = h.key(h.tenant("Hooks"), "[\"chat\",\"webhooks:admin\"]");
        var created = h.call("POST", "/v1/webhooks", key, "{\"url\":\"" + receiver.baseUrl() + path
                + "\",\"events\":" + events + "}");
        assertEquals(201, created.statusCode(), created.body());
        assertTrue(json(created).get("secret").asText().startsWith("whsec_"));
        return new String[] {key, json(created).get("id").asText(), json(created).get("secret").asText()};
    }

    private static void chatInNewSession(TestHub h, String key) {
        String session = json(h.call("POST", "/v1/sessions", key, null)).get("id").asText();
        assertEquals(200, h.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}").statusCode());
    }

    private static JsonNode waitForDeliveries(TestHub h, String key, String webhookId, int count, String status)
            throws InterruptedException {
        long end = System.currentTimeMillis() + 20_000;
        JsonNode data = null;
        while (System.currentTimeMillis() < end) {
            data = json(h.call("GET", "/v1/webhooks/" + webhookId + "/deliveries", key, null)).get("data");
            long done = 0;
            for (JsonNode d : data) {
                if (d.get("status").asText().equals(status)) {
                    done++;
                }
            }
            if (done >= count) {
                return data;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("deliveries did not reach " + status + ": " + data);
    }

    @Test
    void eventsArriveSignedSoTheReceiverCanVerifyThem() throws Exception {
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        String[] s = subscribe(hub, "/hook", "[\"message.created\"]");
        String stored = hub.hub().database().execute().query("SELECT secret FROM webhooks WHERE id = ?", s[1])
                .map(r -> r.column(1).get(String.class)).findFirst().orElseThrow();
        assertTrue(stored.startsWith("v1:") && !stored.contains(s[2]), "sealed under the master key at rest");
        chatInNewSession(hub, s[0]);
        waitForDeliveries(hub, s[0], s[1], 2, "delivered");
        List<LoggedRequest> requests = receiver.findAll(postRequestedFor(urlEqualTo("/hook")));
        assertEquals(2, requests.size(), "the user's message and the assistant's reply");
        for (LoggedRequest r : requests) {
            String signature = r.getHeader("X-Clawless-Signature");
            String t = signature.substring(2, signature.indexOf(','));
            String v1 = signature.substring(signature.indexOf("v1=") + 3);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(s[2].getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String expected = HexFormat.of().formatHex(mac.doFinal((t + "." + r.getBodyAsString())
                    .getBytes(StandardCharsets.UTF_8)));
            assertEquals(expected, v1, "signature over t + '.' + body");
            assertEquals("message.created", r.getHeader("X-Clawless-Event"));
            JsonNode body = json(r.getBodyAsString());
            assertEquals("message.created", body.get("type").asText());
            assertTrue(body.get("id").asText().startsWith("evt_"));
        }
    }

    @Test
    void aDeliveryIsResentOnRequestOnceWhileItIsPending() throws Exception {
        receiver.stubFor(post(urlEqualTo("/resend")).willReturn(aResponse().withStatus(200)));
        String[] s = subscribe(hub, "/resend", "[\"message.created\"]");
        chatInNewSession(hub, s[0]);
        JsonNode deliveries = waitForDeliveries(hub, s[0], s[1], 2, "delivered");
        String delivery = deliveries.get(0).get("id").asText();
        String event = deliveries.get(0).get("event_id").asText();
        // the receiver is slow now: a second request while the first resend is pending sends nothing more
        receiver.stubFor(post(urlEqualTo("/resend")).willReturn(aResponse().withStatus(200).withFixedDelay(1500)));
        String path = "/v1/webhooks/" + s[1] + "/deliveries/" + delivery + "/resend";
        var first = hub.call("POST", path, s[0], null);
        assertEquals(202, first.statusCode(), first.body());
        assertEquals(delivery, json(first).get("id").asText());
        assertEquals("pending", json(first).get("status").asText());
        var second = hub.call("POST", path, s[0], null);
        assertEquals(202, second.statusCode(), second.body());
        assertEquals("pending", json(second).get("status").asText());
        long end = System.currentTimeMillis() + 20_000;
        JsonNode resent = null;
        while (System.currentTimeMillis() < end) {
            for (JsonNode d : json(hub.call("GET", "/v1/webhooks/" + s[1] + "/deliveries", s[0], null)).get("data")) {
                if (d.get("id").asText().equals(delivery) && d.get("status").asText().equals("delivered")) {
                    resent = d;
                }
            }
            if (resent != null) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(2, resent.get("attempts").asInt(), "one attempt more: " + resent);
        Thread.sleep(300);
        List<LoggedRequest> requests = receiver.findAll(postRequestedFor(urlEqualTo("/resend")));
        assertEquals(3, requests.size(), "two events and one resend");
        assertEquals(delivery, requests.get(2).getHeader("X-Clawless-Delivery"));
        assertEquals(event, json(requests.get(2).getBodyAsString()).get("id").asText(), "the same event again");
        // another tenant's key, another webhook's delivery id, an unknown one: 404
        String[] other = subscribe(hub, "/resend", "[\"message.created\"]");
        assertEquals(404, hub.call("POST", path, other[0], null).statusCode());
        assertEquals(404, hub.call("POST", "/v1/webhooks/" + other[1] + "/deliveries/" + delivery + "/resend",
                other[0], null).statusCode());
        assertEquals(404, hub.call("POST", "/v1/webhooks/" + s[1] + "/deliveries/whd_01aaaaaaaaaaaaaaaaaaaaaaaa"
                + "/resend", s[0], null).statusCode());
        assertEquals(404, hub.call("POST", "/v1/webhooks/" + s[1] + "/deliveries/nope/resend", s[0], null)
                .statusCode());
    }

    @Test
    void aFailingReceiverIsRetriedUntilItTakesTheEvent() throws Exception {
        receiver.stubFor(post(urlEqualTo("/flaky")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("up").willReturn(aResponse().withStatus(503)));
        receiver.stubFor(post(urlEqualTo("/flaky")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(204)));
        String[] s = subscribe(hub, "/flaky", "[\"conversation.status_changed\",\"message.created\"]");
        String session = json(hub.call("POST", "/v1/sessions", s[0], null)).get("id").asText();
        hub.call("POST", "/v1/chat/completions", s[0], "{\"session_id\":\"" + session
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        JsonNode deliveries = waitForDeliveries(hub, s[0], s[1], 2, "delivered");
        int maxAttempts = 0;
        for (JsonNode d : deliveries) {
            maxAttempts = Math.max(maxAttempts, d.get("attempts").asInt());
        }
        assertEquals(2, maxAttempts, "the first delivery failed once, then succeeded");
    }

    @Test
    void badSubscriptionsAndOtherTenantsWebhooksAreRefused() {
        String key = hub.key(hub.tenant("Bad"), "[\"webhooks:admin\"]");
        assertEquals(400, hub.call("POST", "/v1/webhooks", key, "{\"url\":\"ftp://x.example\",\"events\":[\"*\"]}")
                .statusCode());
        assertEquals(400, hub.call("POST", "/v1/webhooks", key, "{\"url\":\"https://x.example\",\"events\":[\"nope\"]}")
                .statusCode());
        String[] s = subscribe(hub, "/hook", "[\"*\"]");
        assertEquals(404, hub.call("GET", "/v1/webhooks/" + s[1] + "/deliveries", key, null).statusCode());
        assertEquals(404, hub.call("DELETE", "/v1/webhooks/" + s[1], key, null).statusCode());
        assertEquals(204, hub.call("DELETE", "/v1/webhooks/" + s[1], s[0], null).statusCode());
    }

    @Test
    void aWebhookOnAnInternalAddressIsNeverCalled() throws Exception {
        receiver.stubFor(post(urlEqualTo("/internal")).willReturn(aResponse().withStatus(200)));
        String[] s = subscribe(strictHub, "/internal", "[\"message.created\"]");
        chatInNewSession(strictHub, s[0]);
        JsonNode deliveries = waitForDeliveries(strictHub, s[0], s[1], 1, "failed");
        JsonNode failed = null;
        for (JsonNode d : deliveries) {
            if (d.get("status").asText().equals("failed")) {
                failed = d;
            }
        }
        assertTrue(failed != null && failed.get("last_error").asText().startsWith("refused"), deliveries.toString());
        receiver.verify(0, postRequestedFor(urlEqualTo("/internal")));
    }
}
