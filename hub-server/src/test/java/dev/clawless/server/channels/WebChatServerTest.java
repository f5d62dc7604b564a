package dev.clawless.server.channels;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The widget's backend: sessions from allowed origins, identity verification, messages, the event stream. */
class WebChatServerTest {

    private static final String SHOP = "https://shop.example";
    private static final String IDENTITY = "identity-secret-0123456789";
    private static TestHub hub;
    private static String publishableKey;
    private static String shop;

    @BeforeAll
    static void start() {
        hub = TestHub.start(Map.of("CLAWLESS_WIDGET_MESSAGES_PER_MINUTE", "6",
                "CLAWLESS_WIDGET_SESSIONS_PER_MINUTE", "1000"));
        shop = hub.tenant("Shop");
        String key = hub.key(shop, "[\"channels:admin\",\"conversations:read\"]");
        JsonNode c = ChannelKit.connect(hub, key, "{\"type\":\"webchat\",\"config\":{\"allowed_origins\":[\"" + SHOP
                + "\"],\"theme\":{\"accent\":\"#0a7\"}},\"secrets\":{\"identity_secret\":\"" + IDENTITY + "\"}}");
        publishableKey = c.get("publishable_key").asText();
        assertTrue(publishableKey.startsWith("pk_"), c.toString());
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static HttpResponse<String> post(String path, String origin, String token, String body) {
        HttpRequest.Builder b = hub.request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return hub.send(b);
    }

    private static JsonNode open(String visitor) {
        HttpResponse<String> r = post("/widget/v1/sessions", SHOP, null, "{\"publishable_key\":\"" + publishableKey
                + "\",\"visitor_id\":\"" + visitor + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(SHOP, r.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        return json(r);
    }

    /** Reads the stream until a line contains {@code wanted}; answers the lines read. */
    private static List<String> streamUntil(String token, String lastEventId, String wanted) {
        HttpRequest.Builder b = hub.request("/widget/v1/stream?session_token=" + token).header("Origin", SHOP).GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        List<String> lines = new ArrayList<>();
        try (Stream<String> s = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofLines())
                .body()) {
            for (String line : (Iterable<String>) s::iterator) {
                lines.add(line);
                if (line.contains(wanted)) {
                    return lines;
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("stream ended without " + wanted + ": " + lines);
    }

    @Test
    void aNullOriginIsRefusedUnlessAConnectionListsIt() {
        // a sandboxed iframe or a file: page sends Origin: null; any site can make one
        HttpResponse<String> r = post("/widget/v1/sessions", "null", null, "{\"publishable_key\":\"" + publishableKey
                + "\",\"visitor_id\":\"visitor-null-1\"}");
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("origin-not-allowed"), r.body());
        // a connection that lists "null" itself accepts it
        String tenant = hub.tenant("Sandboxed app");
        JsonNode c = ChannelKit.connect(hub, hub.key(tenant, "[\"channels:admin\"]"), "{\"type\":\"webchat\","
                + "\"config\":{\"allowed_origins\":[\"null\"]}}");
        HttpResponse<String> allowed = post("/widget/v1/sessions", "null", null, "{\"publishable_key\":\""
                + c.get("publishable_key").asText() + "\",\"visitor_id\":\"visitor-null-2\"}");
        assertEquals(200, allowed.statusCode(), allowed.body());
        // and its session stays with "null": a real site cannot use it
        String token = json(allowed).get("session_token").asText();
        assertEquals(202, post("/widget/v1/messages", "null", token, "{\"text\":\"hi\"}").statusCode());
        assertEquals(403, post("/widget/v1/messages", SHOP, token, "{\"text\":\"hi\"}").statusCode());
    }

    @Test
    void aSessionTokenWorksOnlyFromTheOriginItWasOpenedOn() {
        String other = "https://other.example";
        String tenant = hub.tenant("Two sites");
        JsonNode c = ChannelKit.connect(hub, hub.key(tenant, "[\"channels:admin\"]"), "{\"type\":\"webchat\","
                + "\"config\":{\"allowed_origins\":[\"" + SHOP + "\",\"" + other + "\"]}}");
        HttpResponse<String> opened = post("/widget/v1/sessions", SHOP, null, "{\"publishable_key\":\""
                + c.get("publishable_key").asText() + "\",\"visitor_id\":\"visitor-bound-1\"}");
        assertEquals(200, opened.statusCode(), opened.body());
        String token = json(opened).get("session_token").asText();
        assertEquals(202, post("/widget/v1/messages", SHOP, token, "{\"text\":\"from the shop\"}").statusCode());
        // the same token from another allowed origin, from an unknown one, and from Origin: null
        for (String origin : List.of(other, "https://evil.example", "null")) {
            HttpResponse<String> r = post("/widget/v1/messages", origin, token, "{\"text\":\"stolen\"}");
            assertEquals(403, r.statusCode(), origin + " " + r.body());
        }
        HttpResponse<String> stream = hub.send(hub.request("/widget/v1/stream?session_token=" + token)
                .header("Origin", other).GET());
        assertEquals(403, stream.statusCode(), stream.body());
        // a request without Origin (a same-origin read, or a server) still works
        assertEquals(202, post("/widget/v1/messages", null, token, "{\"text\":\"no origin\"}").statusCode());
    }

    @Test
    void theVisitorsNameReachesTheContact() {
        HttpResponse<String> r = post("/widget/v1/sessions", SHOP, null, "{\"publishable_key\":\"" + publishableKey
                + "\",\"visitor_id\":\"visitor-named-1\",\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\"}");
        assertEquals(200, r.statusCode(), r.body());
        String conversation = json(r).get("conversation_id").asText();
        String name = hub.hub().database().execute().createGet("SELECT c.display_name FROM contacts c JOIN"
                        + " conversations v ON v.contact_id = c.id WHERE v.id = ?").params(conversation).execute()
                .map(row -> row.column(1).get(String.class)).orElse("");
        assertEquals("Ada Lovelace", name);
        assertEquals(400, post("/widget/v1/sessions", SHOP, null, "{\"publishable_key\":\"" + publishableKey
                + "\",\"email\":\"not an address\"}").statusCode());
    }

    @Test
    void anOperatorsAttachmentReachesTheWidgetAsALink() {
        JsonNode session = open("visitor-attach-1");
        String operator = hub.key(shop, "[\"conversations:write\"]");
        HttpResponse<String> sent = hub.call("POST", "/v1/conversations/" + session.get("conversation_id").asText()
                + "/messages", operator, "{\"role\":\"operator\",\"text\":\"Our menu\",\"attachments\":[{\"url\":"
                + "\"https://cdn.example/menu.png\",\"mime_type\":\"image/png\",\"file_name\":\"menu.png\"}]}");
        assertTrue(sent.statusCode() == 201 || sent.statusCode() == 202, sent.body());
        List<String> lines = streamUntil(session.get("session_token").asText(), null, "menu.png");
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"url\":\"https://cdn.example/menu.png\"")
                && l.contains("\"content_type\":\"image/png\"")), lines.toString());
        JsonNode history = open("visitor-attach-1").get("history");
        JsonNode last = history.get(history.size() - 1);
        assertEquals("https://cdn.example/menu.png", last.at("/attachments/0/url").asText(), history.toString());
    }

    @Test
    void aVisitorChatsAndFindsTheConversationAgain() {
        JsonNode session = open("visitor-0001");
        assertEquals("#0a7", session.get("theme").get("accent").asText());
        assertEquals(0, session.get("history").size());
        String token = session.get("session_token").asText();
        HttpResponse<String> sent = post("/widget/v1/messages", SHOP, token,
                "{\"text\":\"What are your opening hours?\",\"client_message_id\":\"client-msg-0001\"}");
        assertEquals(202, sent.statusCode(), sent.body());
        // the same message again (a retry from the offline queue) is stored once
        assertEquals(202, post("/widget/v1/messages", SHOP, token,
                "{\"text\":\"What are your opening hours?\",\"client_message_id\":\"client-msg-0001\"}").statusCode());
        List<String> lines = streamUntil(token, null, "\"role\":\"assistant\"");
        assertTrue(lines.contains("event: typing"), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains("intent.detected") || l.contains("conversation.created")));
        String firstId = lines.stream().filter(l -> l.startsWith("id: ")).findFirst().orElseThrow().substring(4);

        // reconnect after the first event: the rest is replayed
        List<String> replay = streamUntil(token, firstId, "\"role\":\"assistant\"");
        assertFalse(replay.contains("id: " + firstId), replay.toString());

        // another visitor reusing this visitor's client id sends a message of their own, and sees nothing of this one
        String other = open("visitor-0003").get("session_token").asText();
        HttpResponse<String> theirs = post("/widget/v1/messages", SHOP, other,
                "{\"text\":\"Something else entirely\",\"client_message_id\":\"client-msg-0001\"}");
        assertEquals(202, theirs.statusCode());
        assertEquals("Something else entirely", json(theirs).get("text").asText());

        // a reload: the same visitor gets the same conversation and its history
        JsonNode again = open("visitor-0001");
        assertEquals(session.get("conversation_id").asText(), again.get("conversation_id").asText());
        assertEquals(2, again.get("history").size(), again.toString());
        assertEquals("assistant", again.get("history").get(1).get("role").asText());
        assertNotEquals(session.get("conversation_id").asText(), open("visitor-0002").get("conversation_id").asText());
    }

    @Test
    void originsKeysTokensAndIdentitiesAreChecked() throws Exception {
        HttpResponse<String> preflight = hub.send(hub.request("/widget/v1/sessions").header("Origin", SHOP)
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertEquals(204, preflight.statusCode(), preflight.body());
        assertEquals(SHOP, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Authorization"));
        HttpResponse<String> evilPreflight = hub.send(hub.request("/widget/v1/messages")
                .header("Origin", "https://evil.example").method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertEquals(403, evilPreflight.statusCode());
        assertTrue(evilPreflight.headers().firstValue("Access-Control-Allow-Origin").isEmpty());

        HttpResponse<String> evil = post("/widget/v1/sessions", "https://evil.example", null,
                "{\"publishable_key\":\"" + publishableKey + "\"}");
        assertEquals(403, evil.statusCode());
        // readable by the refused page's widget (so it can say why), and nothing was opened
        assertTrue(evil.body().contains("allowed_origins"), evil.body());
        assertEquals("https://evil.example", evil.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertFalse(evil.body().contains("session_token"));
        HttpResponse<String> sessionPreflight = hub.send(hub.request("/widget/v1/sessions")
                .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertEquals(204, sessionPreflight.statusCode());
        // a dead session token is a readable 401, so the widget opens a new session rather than retrying blindly
        HttpResponse<String> dead = post("/widget/v1/messages", SHOP, "wst_not-a-token", "{\"text\":\"hi\"}");
        assertEquals(401, dead.statusCode());
        assertEquals(SHOP, dead.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertEquals(401, post("/widget/v1/sessions", SHOP, null, "{\"publishable_key\":\"pk_0000000000000000\"}")
                .statusCode());
        assertEquals(401, post("/widget/v1/sessions", SHOP, null, "{\"publishable_key\":\"ck_live_x\"}").statusCode());
        assertEquals(400, post("/widget/v1/sessions", SHOP, null, "{\"publishable_key\":\"" + publishableKey
                + "\",\"visitor_id\":\"<script>\"}").statusCode());

        // a known user, proven by the site: HMAC-SHA256(identity secret, user id)
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(IDENTITY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String hash = HexFormat.of().formatHex(mac.doFinal("user-42".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> known = post("/widget/v1/sessions", SHOP, null, "{\"publishable_key\":\"" + publishableKey
                + "\",\"user_id\":\"user-42\",\"user_hash\":\"" + hash + "\"}");
        assertEquals(200, known.statusCode(), known.body());
        HttpResponse<String> otherDevice = post("/widget/v1/sessions", SHOP, null, "{\"publishable_key\":\""
                + publishableKey + "\",\"user_id\":\"user-42\",\"user_hash\":\"" + hash + "\"}");
        assertEquals(json(known).get("conversation_id"), json(otherDevice).get("conversation_id"));
        assertEquals(401, post("/widget/v1/sessions", SHOP, null, "{\"publishable_key\":\"" + publishableKey
                + "\",\"user_id\":\"user-43\",\"user_hash\":\"" + hash + "\"}").statusCode());

        String token = json(known).get("session_token").asText();
        String forged = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
        assertEquals(401, post("/widget/v1/messages", SHOP, forged, "{\"text\":\"hi\"}").statusCode());
        assertEquals(401, post("/widget/v1/messages", SHOP, null, "{\"text\":\"hi\"}").statusCode());
        assertEquals(400, post("/widget/v1/messages", SHOP, token, "{\"text\":\"\"}").statusCode());
        assertEquals(400, post("/widget/v1/messages", SHOP, token, "{\"text\":\"" + "x".repeat(5000) + "\"}")
                .statusCode());
    }

    @Test
    void aVisitorIsRateLimited() {
        String token = open("visitor-rate-limited").get("session_token").asText();
        int accepted = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 10; i++) {
            last = post("/widget/v1/messages", SHOP, token, "{\"text\":\"message " + i + "\"}");
            if (last.statusCode() == 202) {
                accepted++;
            }
        }
        assertEquals(6, accepted);
        assertEquals(429, last.statusCode());
        assertTrue(last.headers().firstValue("Retry-After").isPresent());
        // another visitor is not affected
        assertEquals(202, post("/widget/v1/messages", SHOP, open("visitor-other-one").get("session_token").asText(),
                "{\"text\":\"hello\"}").statusCode());
    }

    @Test
    void hostileWidgetRequestsGet4xx() {
        String token = open("visitor-hostile-1").get("session_token").asText();
        String session = "{\"publishable_key\":\"" + publishableKey + "\",\"visitor_id\":\"visitor-hostile-2\"}";
        String message = "{\"text\":\"hello there\",\"client_message_id\":\"client-hostile-1\"}";
        String known = "{\"publishable_key\":\"" + publishableKey + "\",\"user_id\":\"user-7\",\"user_hash\":\""
                + "ab".repeat(32) + "\"}";
        List<byte[]> sessions = ChannelKit.hostileJson(List.of(session, known), List.of(
                java.util.Map.entry("\"pk_[^\"]*\"", "42"), java.util.Map.entry("\"pk_[^\"]*\"", "\"pk_\""),
                java.util.Map.entry("\"pk_[^\"]*\"", "\"" + "pk_" + "a".repeat(500) + "\""),
                java.util.Map.entry("\"visitor-hostile-2\"", "[\"x\"]"),
                java.util.Map.entry("\"visitor-hostile-2\"", "\"../../etc/passwd\""),
                java.util.Map.entry("\"visitor_id\"", "\"user_id\""),
                java.util.Map.entry("\\}$", ",\"user_id\":\"u\",\"user_hash\":\"00\"}"),
                java.util.Map.entry("\\}$", ",\"admin\":true}")));
        int n = ChannelKit.assertAll4xx(hub, sessions, b -> hub.send(hub.request("/widget/v1/sessions")
                .header("Origin", SHOP).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(b))));
        List<byte[]> messagesCorpus = ChannelKit.hostileJson(List.of(message, "{\"text\":\"Où est ma commande ?\"}"),
                List.of(
                java.util.Map.entry("\"hello there\"", "7"), java.util.Map.entry("\"hello there\"", "\"   \""),
                java.util.Map.entry("\"hello there\"", "\"" + "x".repeat(4001) + "\""),
                java.util.Map.entry("\"client-hostile-1\"", "\"<script>\""),
                java.util.Map.entry("\"client-hostile-1\"", "{}"), java.util.Map.entry("\"text\"", "\"txt\"")));
        n += ChannelKit.assertAll4xx(hub, messagesCorpus, b -> hub.send(hub.request("/widget/v1/messages")
                .header("Origin", SHOP).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(b))));
        // tokens: missing, empty, another scheme, forged payloads and signatures
        String[] forged = {"", "wst_", "wst_x.y", token + "x", token.replace("wst_", "wsx_"), "ck_live_abc_def",
            token.substring(0, token.indexOf('.')) + ".AAAA", "wst_" + "A".repeat(3000) + ".B"};
        List<byte[]> same = new java.util.ArrayList<>();
        for (int i = 0; i < forged.length; i++) {
            same.add(message.getBytes(StandardCharsets.UTF_8));
        }
        int[] i = {0};
        n += ChannelKit.assertAll4xx(hub, same, b -> hub.send(hub.request("/widget/v1/messages")
                .header("Authorization", "Bearer " + forged[i[0]++]).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(b))));
        assertTrue(n >= 100, "corpus of " + n);
        assertEquals(200, hub.send(hub.request("/widget/v1/sessions").header("Origin", SHOP)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(session)))
                .statusCode());
    }
}
