package dev.clawless.server.channels;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static dev.clawless.server.channels.ChannelKit.await;
import static dev.clawless.server.channels.ChannelKit.conversations;
import static dev.clawless.server.channels.ChannelKit.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Facebook Messenger and Instagram Direct end to end against a WireMock fake of Meta's Graph API (Send API): the
 * subscription handshake, signed messages in and replies out, typing, receipts, duplicates and echoes, the 24-hour
 * window with a person's {@code HUMAN_AGENT} reply up to 7 days, and a hostile corpus.
 */
class MessengerServerTest {

    private static final String APP_SECRET = "3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a88";
    private static final String PAGE = "108117524567325";
    private static final String IG = "17841405822304914";
    private static final String PSID = "6783412938478812";
    private static final String IGSID = "5412398761234567";
    private static final String SEND = "/v21.0/me/messages";
    private static WireMockServer platform;
    private static TestHub hub;
    private static int tokens;

    @BeforeAll
    static void start() {
        platform = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        platform.start();
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true",
                "CLAWLESS_CHANNELS_DELIVERY_ATTEMPTS", "4", "CLAWLESS_JOBS_BACKOFF_BASE", "200ms",
                "CLAWLESS_JOBS_BACKOFF_MAX", "1s"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        platform.stop();
    }

    /** {key, connectionId, token}: a tenant with a connection whose Send API answers with a fresh message id. */
    private static String[] connect(String type, String accountField, String account) {
        String token = "EAAP" + (++tokens);
        platform.stubFor(post(urlEqualTo(SEND)).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(okJson("{\"recipient_id\":\"{{jsonPath request.body '$.recipient.id'}}\","
                        + "\"message_id\":\"m_{{randomValue length=20 type='ALPHANUMERIC'}}\"}")));
        String key = hub.key(hub.tenant(type + " " + tokens),
                "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        JsonNode c = ChannelKit.connect(hub, key, "{\"type\":\"" + type + "\",\"config\":{\"" + accountField
                + "\":\"" + account + "\",\"api_base_url\":\"" + platform.baseUrl() + "\"},\"secrets\":{"
                + "\"page_access_token\":\"" + token + "\",\"app_secret\":\"" + APP_SECRET + "\","
                + "\"verify_token\":\"verify-me-456\"}}");
        return new String[] {key, c.get("id").asText(), token};
    }

    static String signature(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(APP_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static HttpResponse<String> signed(String connectionId, byte[] body) {
        try {
            return ChannelKit.hook(hub, connectionId, "application/json", body, "X-Hub-Signature-256",
                    signature(body));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> signed(String connectionId, String body) {
        return signed(connectionId, body.getBytes(StandardCharsets.UTF_8));
    }

    /** The Send API requests made with this connection's token, oldest first. */
    private static List<JsonNode> sent(String token) {
        List<JsonNode> out = new ArrayList<>();
        platform.findAll(postRequestedFor(urlEqualTo(SEND)).withHeader("Authorization", equalTo("Bearer " + token)))
                .forEach(r -> out.add(json(r.getBodyAsString())));
        return out;
    }

    private static List<JsonNode> sentMessages(String token) {
        return sent(token).stream().filter(r -> r.has("message")).toList();
    }

    private static void ageMessages(String cid, Duration by) {
        hub.hub().database().execute().createUpdate("UPDATE messages SET created_at = ? WHERE conversation_id = ?")
                .params(Instant.now().minus(by).atOffset(java.time.ZoneOffset.UTC), cid).execute();
    }

    @Test
    void messengerEndToEnd() {
        String[] t = connect("messenger", "page_id", PAGE);
        HttpResponse<String> challenge = hub.send(hub.request("/hooks/" + t[1]
                + "?hub.mode=subscribe&hub.challenge=CHALLENGE_ACCEPTED_17&hub.verify_token=verify-me-456").GET());
        assertEquals(200, challenge.statusCode());
        assertEquals("CHALLENGE_ACCEPTED_17", challenge.body());
        assertEquals(401, hub.send(hub.request("/hooks/" + t[1]
                + "?hub.mode=subscribe&hub.challenge=1&hub.verify_token=verify-me-457").GET()).statusCode());

        byte[] text = ChannelKit.fixture("messenger", "text.json");
        assertEquals(200, signed(t[1], text).statusCode());
        assertEquals(200, signed(t[1], text).statusCode()); // Meta retries: stored once
        await("the reply", () -> !sentMessages(t[2]).isEmpty());
        String cid = conversations(hub, t[0], "messenger").get(0).get("id").asText();
        JsonNode reply = sentMessages(t[2]).get(0);
        assertEquals(PSID, reply.path("recipient").path("id").asText());
        assertEquals("RESPONSE", reply.path("messaging_type").asText());
        assertFalse(reply.path("message").path("text").asText().isBlank(), reply.toString());
        assertTrue(sent(t[2]).stream().anyMatch(r -> r.path("sender_action").asText().equals("typing_on")),
                "a typing indicator while the assistant works");
        await("sent", () -> messages(hub, t[0], cid).stream().anyMatch(m -> m.get("status").asText().equals("sent")));
        List<JsonNode> all = messages(hub, t[0], cid);
        assertEquals(1, all.stream().filter(m -> m.get("direction").asText().equals("inbound")).count());
        JsonNode out = all.stream().filter(m -> m.get("direction").asText().equals("outbound")).findFirst().orElseThrow();
        String mid = out.get("external_message_id").asText();
        assertTrue(mid.startsWith("m_"), mid);

        // receipts: delivery by mid, then read by watermark
        assertEquals(200, signed(t[1], ChannelKit.text("messenger", "delivery.json")
                .replace("m_delivered_placeholder", mid)).statusCode());
        await("delivered", () -> messages(hub, t[0], cid).stream().anyMatch(m ->
                m.get("id").asText().equals(out.get("id").asText()) && m.get("status").asText().equals("delivered")));
        assertEquals(200, signed(t[1], ChannelKit.fixture("messenger", "read.json")).statusCode());
        await("read", () -> messages(hub, t[0], cid).stream().anyMatch(m ->
                m.get("id").asText().equals(out.get("id").asText()) && m.get("status").asText().equals("read")));

        // the page's own echo and a reaction: nothing stored, nothing answered
        int before = sentMessages(t[2]).size();
        assertEquals(200, signed(t[1], ChannelKit.fixture("messenger", "echo.json")).statusCode());
        assertEquals(200, signed(t[1], ChannelKit.fixture("messenger", "reaction.json")).statusCode());
        // a quick reply, a postback and an image: each stored with what it carries
        for (String f : List.of("quick_reply.json", "postback.json", "postback_legacy.json", "reply_to.json",
                "multi_entry.json")) {
            assertEquals(200, signed(t[1], ChannelKit.fixture("messenger", f)).statusCode(), f);
        }
        String image = ChannelKit.text("messenger", "image.json").replace("https://scontent.xx.fbcdn.net",
                platform.baseUrl());
        platform.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo(
                "/v/t1.15752-9/menu.jpg?_nc_cat=1&oh=abc")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "image/jpeg").withBody(new byte[] {1, 2, 3, 4})));
        assertEquals(200, signed(t[1], image).statusCode());
        await("all stored", () -> messages(hub, t[0], cid).stream()
                .filter(m -> m.get("direction").asText().equals("inbound")).count() == 7);
        List<JsonNode> inbound = messages(hub, t[0], cid).stream()
                .filter(m -> m.get("direction").asText().equals("inbound")).toList();
        assertFalse(inbound.stream().anyMatch(m -> m.get("text").asText().contains("Hi from the page")));
        assertFalse(inbound.stream().anyMatch(m -> m.get("text").asText().contains("not this page")));
        assertTrue(inbound.stream().anyMatch(m -> m.get("metadata").path("messenger.quick_reply_payload").asText()
                .equals("CONTINUE_WHATSAPP")));
        assertTrue(inbound.stream().anyMatch(m -> m.get("text").asText().equals("Ver planes")
                && m.get("metadata").path("messenger.postback_payload").asText().equals("SHOW_PLANS")));
        JsonNode photo = inbound.stream().filter(m -> m.get("attachments").size() == 1).findFirst().orElseThrow();
        HttpResponse<byte[]> bytes = hub.sendBytes(hub.request("/v1/conversations/" + cid + "/messages/"
                + photo.get("id").asText() + "/attachments/0").header("Authorization", "Bearer " + t[0]));
        assertEquals(200, bytes.statusCode());
        assertEquals(4, bytes.body().length);
        await("every answer", () -> sentMessages(t[2]).size() >= before + 6);

        // an operator's reply with quick replies
        HttpResponse<String> quick = hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"¿Seguimos por WhatsApp?\",\"quick_replies\":[{\"title\":\"Sí\",\"payload\":\"YES\"},"
                        + "{\"title\":\"No, aquí\",\"payload\":\"NO\"}]}");
        assertEquals(201, quick.statusCode(), quick.body());
        await("the quick replies", () -> sentMessages(t[2]).stream().anyMatch(r ->
                r.path("message").path("quick_replies").size() == 2));
        JsonNode q = sentMessages(t[2]).stream().filter(r -> r.path("message").has("quick_replies")).findFirst()
                .orElseThrow();
        assertEquals("YES", q.path("message").path("quick_replies").path(0).path("payload").asText());
        assertEquals(400, hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"x\",\"quick_replies\":[{\"title\":\"" + "y".repeat(21) + "\"}]}").statusCode());
    }

    @Test
    void theWindowClosesForTheAssistantAfter24HoursAndForPeopleAfter7Days() {
        String[] t = connect("messenger", "page_id", PAGE);
        assertEquals(200, signed(t[1], ChannelKit.fixture("messenger", "text.json")).statusCode());
        await("the reply", () -> !sentMessages(t[2]).isEmpty());
        String cid = conversations(hub, t[0], "messenger").get(0).get("id").asText();
        JsonNode open = json(hub.call("GET", "/v1/conversations/" + cid, t[0], null)).get("reply_window");
        assertTrue(open.get("open").asBoolean(), open.toString());

        // 25 hours on: the assistant may not write; a person may (tagged HUMAN_AGENT: ReplyWindowBrowserTest), but an
        // integration's API key is not a person
        ageMessages(cid, Duration.ofHours(25));
        JsonNode human = json(hub.call("GET", "/v1/conversations/" + cid, t[0], null)).get("reply_window");
        assertFalse(human.get("open").asBoolean(), human.toString());
        assertTrue(human.get("human_open").asBoolean(), human.toString());
        assertTrue(Instant.parse(human.get("human_closes_at").asText()).isAfter(Instant.now().plus(Duration.ofDays(5))));
        HttpResponse<String> automated = hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"Hola, ¿sigues ahí?\"}");
        assertEquals(409, automated.statusCode(), automated.body());
        assertTrue(automated.body().contains("a person signed in"), automated.body());
        // a template is WhatsApp's way past the window; here it is refused, never sent as free-form text
        int before = sentMessages(t[2]).size();
        HttpResponse<String> templated = hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"template\":{\"id\":\"follow_up\"},\"text\":\"Hola\"}");
        assertEquals(201, templated.statusCode(), templated.body());
        String templateId = json(templated).get("id").asText();
        await("the template refused", () -> messages(hub, t[0], cid).stream().anyMatch(m ->
                m.get("id").asText().equals(templateId) && m.get("status").asText().equals("failed")
                        && m.get("error").asText().contains("no message templates")));
        assertEquals(before, sentMessages(t[2]).size());

        // 8 days on: nobody may write; the API says why
        ageMessages(cid, Duration.ofDays(8));
        HttpResponse<String> closed = hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"¿Sigues interesado?\"}");
        assertEquals(409, closed.statusCode(), closed.body());
        assertTrue(closed.body().contains("until they write again"), closed.body());
        JsonNode shut = json(hub.call("GET", "/v1/conversations/" + cid, t[0], null)).get("reply_window");
        assertFalse(shut.get("human_open").asBoolean(), shut.toString());
    }

    @Test
    void anAssistantReplyThatMissesTheWindowFailsWithTheReasonAndThePlatformsRefusalIsShown() {
        String[] t = connect("messenger", "page_id", PAGE);
        // the first send attempt finds the platform unavailable; by the retry the window has closed
        platform.stubFor(post(urlEqualTo(SEND)).withHeader("Authorization", equalTo("Bearer " + t[2]))
                .inScenario("late").whenScenarioStateIs(Scenario.STARTED)
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.message"))
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "2")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"Service temporarily unavailable\",\"code\":2,"
                                + "\"is_transient\":true}}"))
                .willSetStateTo("down once"));
        assertEquals(200, signed(t[1], ChannelKit.fixture("messenger", "text.json")).statusCode());
        await("the first attempt", () -> !sentMessages(t[2]).isEmpty());
        String cid = conversations(hub, t[0], "messenger").get(0).get("id").asText();
        ageMessages(cid, Duration.ofHours(30));
        await("the refusal", () -> messages(hub, t[0], cid).stream().anyMatch(m ->
                m.get("status").asText().equals("failed")
                        && m.get("error").asText().contains("only a person may still reply")));
        assertEquals(1, sentMessages(t[2]).size(), "nothing went out after the window closed");

        // the platform's own refusal (outside the window, code 10): shown on the message and as delivery.failed
        ageMessages(cid, Duration.ZERO);
        platform.stubFor(post(urlEqualTo(SEND)).withHeader("Authorization", equalTo("Bearer " + t[2]))
                .atPriority(1).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"message\":\"(#10) This message is sent outside of allowed window.\","
                                + "\"type\":\"OAuthException\",\"code\":10,\"error_subcode\":2018278,"
                                + "\"fbtrace_id\":\"AbC\"}}")));
        assertEquals(201, hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"¿Te llamo?\"}").statusCode());
        String failed = ChannelKit.event(hub, t[0], cid, "\"platform_code\":\"10\"");
        assertTrue(failed.contains("outside of allowed window") && failed.contains("2018278"), failed);
        platform.removeStub(platform.getStubMappings().stream().filter(s -> s.getPriority() != null
                && s.getPriority() == 1).findFirst().orElseThrow());
    }

    @Test
    void instagramStoriesRepliesAndReceipts() {
        String[] t = connect("instagram", "instagram_account_id", IG);
        assertEquals(200, signed(t[1], ChannelKit.fixture("instagram", "story_reply.json")).statusCode());
        await("the reply", () -> !sentMessages(t[2]).isEmpty());
        JsonNode reply = sentMessages(t[2]).get(0);
        assertEquals(IGSID, reply.path("recipient").path("id").asText());
        assertTrue(reply.path("message").path("text").asText().length() <= 1000);
        String cid = conversations(hub, t[0], "instagram").get(0).get("id").asText();
        for (String f : List.of("story_mention.json", "quick_reply.json", "postback.json", "echo.json",
                "deleted.json", "text.json")) {
            assertEquals(200, signed(t[1], ChannelKit.fixture("instagram", f)).statusCode(), f);
        }
        await("stored", () -> messages(hub, t[0], cid).stream()
                .filter(m -> m.get("direction").asText().equals("inbound")).count() == 5);
        List<JsonNode> inbound = messages(hub, t[0], cid).stream()
                .filter(m -> m.get("direction").asText().equals("inbound")).toList();
        assertTrue(inbound.stream().anyMatch(m -> m.get("metadata").path("instagram.story").asText().equals("reply")
                && m.get("metadata").path("instagram.story_id").asText().equals("17950392118654321")));
        assertTrue(inbound.stream().anyMatch(m -> m.get("metadata").path("instagram.story").asText()
                .equals("mention")));
        assertFalse(inbound.stream().anyMatch(m -> m.get("text").asText().equals("Thanks for writing!")), "echo");
        await("sent", () -> messages(hub, t[0], cid).stream().anyMatch(m -> m.get("status").asText().equals("sent")));
        JsonNode out = messages(hub, t[0], cid).stream().filter(m -> m.get("status").asText().equals("sent"))
                .findFirst().orElseThrow();
        assertEquals(200, signed(t[1], ChannelKit.text("instagram", "read.json").replace("ig_read_placeholder",
                out.get("external_message_id").asText())).statusCode());
        await("read", () -> messages(hub, t[0], cid).stream().anyMatch(m ->
                m.get("id").asText().equals(out.get("id").asText()) && m.get("status").asText().equals("read")));
    }

    @Test
    void hostileRequestsGet4xxAndNothingIsStored() throws Exception {
        String[] t = connect("messenger", "page_id", PAGE);
        String[] ig = connect("instagram", "instagram_account_id", IG);
        List<String> valid = new ArrayList<>();
        for (String f : List.of("text.json", "postback.json", "delivery.json", "read.json", "image.json")) {
            valid.add(ChannelKit.text("messenger", f));
        }
        List<byte[]> bodies = ChannelKit.hostileJson(valid, List.of(
                Map.entry("\"object\": \"page\"", "\"object\": \"instagram\""),
                Map.entry("\"entry\": \\[", "\"entry\": {\"x\": ["),
                Map.entry("\"messaging\": \\[", "\"messaging\": \"all\", \"x\": ["),
                Map.entry("\"id\": \"" + PSID + "\"", "\"id\": 6783412938478812"),
                Map.entry("\"id\": \"" + PSID + "\"", "\"id\": \"<script>alert(1)</script>\""),
                Map.entry("\"timestamp\": \\d+", "\"timestamp\": \"yesterday\""),
                Map.entry("\"text\": \"", "\"text\": \"" + "y".repeat(20_001)),
                Map.entry("\"mid\": \"", "\"mid\": 7, \"x\": \""),
                Map.entry("\"mids\": \\[", "\"mids\": [7, "),
                Map.entry("\"watermark\": \\d+", "\"watermark\": \"soon\""),
                Map.entry("\"url\": \"https", "\"url\": \"javascript"),
                Map.entry("\"postback\": \\{", "\"postback\": {\"title\": 5, \"x\": {")));
        int n = ChannelKit.assertAll4xx(hub, bodies, b -> signed(t[1], b));
        n += ChannelKit.assertAll4xx(hub, List.of(ChannelKit.fixture("messenger", "text.json")),
                b -> signed(ig[1], b));
        byte[] good = ChannelKit.fixture("messenger", "text.json");
        String[][] wrong = {{}, {"X-Hub-Signature-256", ""},
                {"X-Hub-Signature-256", signature(ChannelKit.fixture("messenger", "postback.json"))},
                {"X-Hub-Signature-256", signature(good).replace("sha256=", "sha1=")},
                {"X-Hub-Signature-256", signature(good).toUpperCase()}};
        int[] i = {0};
        n += ChannelKit.assertAll4xx(hub, List.of(good, good, good, good, good), b -> {
            HttpResponse<String> r = ChannelKit.hook(hub, t[1], "application/json", b, wrong[i[0]++]);
            assertEquals(401, r.statusCode(), r.body());
            return r;
        });
        assertEquals("HTTP/1.1 413", ChannelKit.declareTooLarge(hub, "/hooks/" + t[1]));
        assertTrue(n >= 100, "corpus of " + n);
        assertEquals(0, conversations(hub, t[0], "messenger").size());
        assertEquals(0, conversations(hub, ig[0], "instagram").size());
        assertEquals(List.of(), sent(t[2]));
    }
}
