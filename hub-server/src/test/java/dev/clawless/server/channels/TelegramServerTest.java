package dev.clawless.server.channels;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static dev.clawless.server.channels.ChannelKit.await;
import static dev.clawless.server.channels.ChannelKit.conversations;
import static dev.clawless.server.channels.ChannelKit.fixture;
import static dev.clawless.server.channels.ChannelKit.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Telegram end to end: a running hub, the fake Bot API (WireMock), realistic updates through /hooks. */
class TelegramServerTest {

    private static final String TOKEN = "123456:TEST-token_abcDEF";
    private static final String BOT = "/bot" + TOKEN;
    private static int bots;
    private static final String SECRET = "s3cr3t_T0ken-abc";
    private static final String HEADER = "X-Telegram-Bot-Api-Secret-Token";

    private static WireMockServer telegram;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        telegram = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        telegram.start();
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true",
                "CLAWLESS_CHANNELS_DELIVERY_ATTEMPTS", "3", "CLAWLESS_JOBS_BACKOFF_BASE", "200ms",
                "CLAWLESS_JOBS_BACKOFF_MAX", "1s", "CLAWLESS_CHANNELS_POLL_WAIT", "1s"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        telegram.stop();
    }

    @BeforeEach
    void reset() {
        telegram.resetAll();
        telegram.stubFor(post(urlEqualTo(BOT + "/setWebhook")).willReturn(okJson("{\"ok\":true,\"result\":true}")));
        telegram.stubFor(post(urlEqualTo(BOT + "/deleteWebhook")).willReturn(okJson("{\"ok\":true,\"result\":true}")));
        telegram.stubFor(post(urlEqualTo(BOT + "/sendChatAction")).willReturn(okJson("{\"ok\":true,\"result\":true}")));
        telegram.stubFor(post(urlEqualTo(BOT + "/sendmessage")).willReturn(okJson(sent(4242))));
    }

    private static String sent(int id) {
        // a fresh id per send, as Telegram numbers them (templated by WireMock) unless a test fixes one
        String mid = id == 4242 ? "{{randomInt lower=10000 upper=2000000000}}" : String.valueOf(id);
        return "{\"ok\":true,\"result\":{\"message_id\":" + mid + ",\"date\":1736935300,"
                + "\"chat\":{\"id\":123456789,\"type\":\"private\"},\"text\":\"x\"}}";
    }

    /**
     * A tenant, a key and a webhook-mode connection of a bot of its own (so late deliveries of one test never reach
     * another's stubs); answers {key, connectionId, bot path}.
     */
    private static String[] connected(String name) {
        String token = (700000 + ++bots) + ":TEST-token_" + bots;
        String bot = "/bot" + token;
        telegram.stubFor(post(urlEqualTo(bot + "/setWebhook")).willReturn(okJson("{\"ok\":true,\"result\":true}")));
        telegram.stubFor(post(urlEqualTo(bot + "/sendChatAction")).willReturn(okJson("{\"ok\":true,\"result\":true}")));
        telegram.stubFor(post(urlEqualTo(bot + "/sendmessage")).willReturn(okJson(sent(4242))));
        String key = hub.key(hub.tenant(name), "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        JsonNode c = ChannelKit.connect(hub, key, "{\"type\":\"telegram\",\"name\":\"Support bot\",\"config\":"
                + "{\"mode\":\"webhook\",\"api_base_url\":\"" + telegram.baseUrl() + "\"},\"secrets\":"
                + "{\"bot_token\":\"" + token + "\",\"webhook_secret\":\"" + SECRET + "\"}}");
        return new String[] {key, c.get("id").asText(), bot};
    }

    private static HttpResponse<String> update(String connectionId, byte[] body, String secret) {
        return secret == null ? ChannelKit.hook(hub, connectionId, "application/json", body)
                : ChannelKit.hook(hub, connectionId, "application/json", body, HEADER, secret);
    }

    @Test
    void connectingRegistersTheWebhookAndNeverShowsSecrets() {
        String key = hub.key(hub.tenant("Tg connect"), "[\"channels:admin\"]");
        HttpResponse<String> r = hub.call("POST", "/v1/channels", key, "{\"type\":\"telegram\",\"config\":"
                + "{\"api_base_url\":\"" + telegram.baseUrl() + "\"},\"secrets\":{\"bot_token\":\"" + TOKEN
                + "\",\"webhook_secret\":\"" + SECRET + "\"}}");
        assertEquals(201, r.statusCode(), r.body());
        JsonNode c = json(r);
        String id = c.get("id").asText();
        assertEquals(hub.hub().baseUrl() + "/hooks/" + id, c.get("webhook_url").asText());
        assertFalse(r.body().contains(TOKEN) || r.body().contains(SECRET), r.body());
        assertEquals("[\"bot_token\",\"webhook_secret\"]", c.get("secrets").toString());
        LoggedRequest set = telegram.findAll(postRequestedFor(urlEqualTo(BOT + "/setWebhook"))).get(0);
        String form = set.getBodyAsString();
        assertTrue(form.contains(hub.hub().baseUrl() + "/hooks/" + id) && form.contains(SECRET), form);
        String listed = hub.call("GET", "/v1/channels/" + id, key, null).body();
        assertFalse(listed.contains(TOKEN) || listed.contains(SECRET), listed);

        // the platform refusing the token stops the connection, naming why
        telegram.stubFor(post(urlEqualTo(BOT + "/setWebhook")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}")));
        HttpResponse<String> refused = hub.call("POST", "/v1/channels", key, "{\"type\":\"telegram\",\"config\":"
                + "{\"api_base_url\":\"" + telegram.baseUrl() + "\"},\"secrets\":{\"bot_token\":\"" + TOKEN
                + "\",\"webhook_secret\":\"" + SECRET + "\"}}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("Unauthorized"), refused.body());
        assertEquals(1, json(hub.call("GET", "/v1/channels", key, null)).get("data").size());

        // bad config: unknown type, unknown key, missing secret, private address refused is covered elsewhere
        HttpResponse<String> bad = hub.call("POST", "/v1/channels", key, "{\"type\":\"telegram\",\"config\":"
                + "{\"mode\":\"carrier-pigeon\",\"colour\":\"red\"},\"secrets\":{\"password\":\"x\"}}");
        assertEquals(400, bad.statusCode());
        String errors = json(bad).get("errors").toString();
        for (String field : List.of("config.mode", "config.colour", "secrets.bot_token", "secrets.password")) {
            assertTrue(errors.contains(field), errors);
        }
    }

    @Test
    void aMessageIsStoredOnceAnsweredOnceAndTheReplyRecorded() {
        String[] t = connected("Tg flow");
        byte[] body = fixture("telegram", "private_text.json");
        assertEquals(200, update(t[1], body, SECRET).statusCode());
        assertEquals(200, update(t[1], body, SECRET).statusCode()); // Telegram retries: same update again
        await("the reply to be sent", () -> !telegram.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage")))
                .isEmpty());
        List<JsonNode> convs = conversations(hub, t[0], "telegram");
        assertEquals(1, convs.size());
        String cid = convs.get(0).get("id").asText();
        await("the reply to be marked sent", () -> messages(hub, t[0], cid).stream()
                .anyMatch(m -> m.get("status").asText().equals("sent")));
        List<JsonNode> ms = messages(hub, t[0], cid);
        assertEquals(2, ms.size(), ms.toString());
        assertEquals("Hello! Can you summarise today's standup notes?", ms.get(0).get("text").asText());
        assertEquals("123456789:101", ms.get(0).get("external_message_id").asText());
        assertEquals("assistant", ms.get(1).get("role").asText());
        assertTrue(ms.get(1).get("external_message_id").asText().matches("123456789:\\d+"), ms.toString());
        List<LoggedRequest> sends = telegram.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage")));
        assertEquals(1, sends.size());
        JsonNode sentBody = json(sends.get(0).getBodyAsString());
        assertEquals("123456789", sentBody.get("chat_id").asText());
        assertEquals(ms.get(1).get("text").asText(), sentBody.get("text").asText());
        await("a typing indicator", () -> !telegram.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendChatAction")))
                .isEmpty());

        // an operator's attachment is fetched by the hub and uploaded to Telegram, not passed as a URL
        telegram.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/assets/chart.png"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "image/png")
                        .withBody(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3})));
        telegram.stubFor(post(urlEqualTo(t[2] + "/sendphoto")).willReturn(okJson(sent(4242))));
        assertEquals(201, hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0], "{\"attachments\":"
                + "[{\"url\":\"" + telegram.baseUrl() + "/assets/chart.png\",\"mime_type\":\"image/png\"}]}")
                .statusCode());
        await("the photo upload", () -> !telegram.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendphoto"))).isEmpty());
        LoggedRequest upload = telegram.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendphoto"))).get(0);
        assertTrue(upload.getHeader("Content-Type").startsWith("multipart/form-data")
                && upload.getParts().stream().anyMatch(part -> part.getBody().asBytes().length == 7), upload.toString());

        // an edit changes the stored text and is not answered again
        assertEquals(200, update(t[1], fixture("telegram", "edited_message.json"), SECRET).statusCode());
        assertEquals(1, telegram.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))).size());
    }

    @Test
    void everyUpdateKindIsNormalised() {
        String[] t = connected("Tg kinds");
        for (String f : List.of("group_text_mention.json", "supergroup_reply.json", "photo.json", "document.json",
                "voice.json", "location.json", "sticker.json", "callback_query.json", "forwarded.json",
                "group_command.json")) {
            HttpResponse<String> r = update(t[1], fixture("telegram", f), SECRET);
            assertEquals(200, r.statusCode(), f + ": " + r.body());
        }
        // ignored: the bot added to a group, a channel post, another bot's message
        for (String f : List.of("my_chat_member.json", "channel_post.json", "bot_sender.json")) {
            assertEquals(200, update(t[1], fixture("telegram", f), SECRET).statusCode(), f);
        }
        List<JsonNode> convs = conversations(hub, t[0], "telegram");
        List<JsonNode> all = new ArrayList<>();
        convs.forEach(c -> all.addAll(messages(hub, t[0], c.get("id").asText()).stream()
                .filter(m -> m.get("direction").asText().equals("inbound")).toList()));
        assertEquals(10, all.size(), all.toString());
        assertTrue(convs.stream().anyMatch(c -> c.get("chat_type").asText().equals("group")), convs.toString());
        JsonNode photo = all.stream().filter(m -> m.get("attachments").size() > 0
                && m.get("attachments").get(0).get("kind").asText().equals("image")).findFirst().orElseThrow();
        assertEquals(158833, photo.get("attachments").get(0).get("size_bytes").asLong());
        assertEquals("Whiteboard from the planning session - can you transcribe it?", photo.get("text").asText());
        assertTrue(all.stream().anyMatch(m -> !m.get("reply_to_external_id").isNull()), all.toString());
        assertTrue(all.stream().anyMatch(m -> m.get("attachments").size() > 0
                && m.get("attachments").get(0).get("url").asText().startsWith("geo:")), all.toString());

        // the photo is fetched from Telegram only when asked for: getFile, then the file itself
        String fileId = photo.get("attachments").get(0).get("external_id").asText();
        telegram.stubFor(post(urlEqualTo(t[2] + "/getFile")).willReturn(okJson("{\"ok\":true,\"result\":"
                + "{\"file_id\":\"" + fileId + "\",\"file_unique_id\":\"u1\",\"file_size\":4,"
                + "\"file_path\":\"photos/file_7.jpg\"}}")));
        telegram.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/file" + t[2]
                + "/photos/file_7.jpg")).willReturn(aResponse().withStatus(200).withBody(new byte[] {1, 2, 3, 4})));
        String photoConversation = convs.stream().filter(c -> messages(hub, t[0], c.get("id").asText()).stream()
                .anyMatch(m -> m.get("id").asText().equals(photo.get("id").asText()))).findFirst().orElseThrow()
                .get("id").asText();
        HttpResponse<byte[]> media = hub.sendBytes(hub.request("/v1/conversations/" + photoConversation
                + "/messages/" + photo.get("id").asText() + "/attachments/0").header("Authorization", "Bearer " + t[0]));
        assertEquals(200, media.statusCode());
        assertEquals(4, media.body().length);
        assertEquals("image/jpeg", media.headers().firstValue("Content-Type").orElse(""));
        assertEquals(404, hub.call("GET", "/v1/conversations/" + photoConversation + "/messages/"
                + photo.get("id").asText() + "/attachments/7", t[0], null).statusCode());
    }

    @Test
    void aRateLimitedSendWaitsAsAskedAndAFailingOneIsDeadLettered() {
        String[] t = connected("Tg retry");
        telegram.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("limited-once")
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withBody("{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after 1\","
                                + "\"parameters\":{\"retry_after\":1}}")));
        telegram.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).inScenario("flaky")
                .whenScenarioStateIs("limited-once").willSetStateTo("down")
                .willReturn(aResponse().withStatus(500).withBody("<html>oops</html>")));
        telegram.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).inScenario("flaky")
                .whenScenarioStateIs("down").willReturn(okJson(sent(5000))));
        assertEquals(200, update(t[1], fixture("telegram", "private_text.json"), SECRET).statusCode());
        String cid = conversations(hub, t[0], "telegram").get(0).get("id").asText();
        await("delivery after the platform recovers", () -> messages(hub, t[0], cid).stream()
                .anyMatch(m -> m.get("external_message_id").asText("").equals("123456789:5000")));
        assertEquals(3, telegram.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))).size());

        // never recovers: after the configured attempts the message is failed with the reason, and an event says so
        telegram.resetScenarios();
        telegram.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).willReturn(aResponse().withStatus(502)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}")));
        HttpResponse<String> op = hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"An operator here.\"}");
        assertEquals(201, op.statusCode(), op.body());
        String mid = json(op).get("id").asText();
        await("the dead letter", () -> messages(hub, t[0], cid).stream()
                .anyMatch(m -> m.get("id").asText().equals(mid) && m.get("status").asText().equals("failed")));
        JsonNode failed = messages(hub, t[0], cid).stream().filter(m -> m.get("id").asText().equals(mid))
                .findFirst().orElseThrow();
        assertTrue(failed.get("error").asText().contains("gave up after 3 attempts")
                && failed.get("error").asText().contains("Bad Gateway"), failed.toString());
        String failedEvent = ChannelKit.event(hub, t[0], cid, "\"platform_code\"");
        assertTrue(failedEvent.contains(mid) && failedEvent.contains("Bad Gateway"), failedEvent);

        // a refusal retrying cannot fix fails at once
        telegram.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot was blocked by the user\"}")));
        String blocked = json(hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"Still there?\"}")).get("id").asText();
        await("the refusal", () -> messages(hub, t[0], cid).stream()
                .anyMatch(m -> m.get("id").asText().equals(blocked) && m.get("status").asText().equals("failed")
                        && m.get("error").asText().contains("blocked")));
    }

    @Test
    void longRepliesAreSplitAndSentInOrder() {
        String[] t = connected("Tg split");
        assertEquals(200, update(t[1], fixture("telegram", "private_text.json"), SECRET).statusCode());
        String cid = conversations(hub, t[0], "telegram").get(0).get("id").asText();
        await("the first reply", () -> telegram.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))).size() == 1);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            text.append("Paragraph ").append(i).append(": ").append("word ".repeat(20).strip()).append(".\\n\\n");
        }
        assertEquals(201, hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"" + text + "\"}").statusCode());
        await("two parts", () -> telegram.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))).size() == 3);
        List<LoggedRequest> sends = telegram.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage")));
        String first = json(sends.get(1).getBodyAsString()).get("text").asText();
        String second = json(sends.get(2).getBodyAsString()).get("text").asText();
        assertTrue(first.length() <= 4096 && first.startsWith("Paragraph 0:") && first.endsWith("."), first);
        assertTrue(second.startsWith("Paragraph ") && second.endsWith("Paragraph 59: " + "word ".repeat(20).strip()
                + "."), second);
    }

    @Test
    void pollingModeNeedsNoPublicUrl() {
        String key = hub.key(hub.tenant("Tg polling"), "[\"channels:admin\",\"conversations:read\"]");
        String update = new String(fixture("telegram", "private_text.json"), StandardCharsets.UTF_8);
        telegram.stubFor(post(urlEqualTo(BOT + "/getupdates")).inScenario("poll")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("drained")
                .willReturn(okJson("{\"ok\":true,\"result\":[" + update + "]}")));
        telegram.stubFor(post(urlEqualTo(BOT + "/getupdates")).inScenario("poll").whenScenarioStateIs("drained")
                .willReturn(okJson("{\"ok\":true,\"result\":[]}")));
        ChannelKit.connect(hub, key, "{\"type\":\"telegram\",\"config\":{\"mode\":\"polling\",\"api_base_url\":\""
                + telegram.baseUrl() + "\"},\"secrets\":{\"bot_token\":\"" + TOKEN + "\"}}");
        assertEquals(1, telegram.findAll(postRequestedFor(urlEqualTo(BOT + "/deleteWebhook"))).size());
        await("the polled message", () -> conversations(hub, key, "telegram").size() == 1);
        await("the next poll to confirm the update", () -> telegram.findAll(
                postRequestedFor(urlEqualTo(BOT + "/getupdates")).withRequestBody(containing("\"offset\":845123002")))
                .size() > 0);
    }

    @Test
    void hostileRequestsGet4xxAndTheHubKeepsServing() {
        String[] t = connected("Tg hostile");
        List<String> valid = new ArrayList<>();
        for (String f : List.of("private_text.json", "photo.json", "callback_query.json", "edited_message.json",
                "supergroup_reply.json", "document.json")) {
            valid.add(new String(fixture("telegram", f), StandardCharsets.UTF_8));
        }
        List<byte[]> bodies = ChannelKit.hostileJson(valid, List.of(
                Map.entry("\"message_id\": \\d+", "\"message_id\": \"abc\""),
                Map.entry("\"update_id\": \\d+", "\"update_id\": {\"x\":1}"),
                Map.entry("\"chat\": \\{", "\"chat\": 5, \"x\": {"),
                Map.entry("\"from\": \\{", "\"from\": [1], \"x\": {"),
                Map.entry("\"date\": \\d+", "\"date\": \"yesterday\""),
                Map.entry("\"id\": \\d+", "\"id\": 1e400"),
                Map.entry("\"update_id\": \\d+,", ""),
                Map.entry("\"text\": \"", "\"text\": \"" + "x".repeat(150_000))));
        int signed = ChannelKit.assertAll4xx(hub, bodies, b -> update(t[1], b, SECRET));
        byte[] good = fixture("telegram", "private_text.json");
        List<byte[]> unsigned = List.of(good, good, good, good, good);
        String[] wrong = {null, "", "s3cr3t_T0ken-abd", SECRET + "x", SECRET.toUpperCase()};
        int[] i = {0};
        int unsignedCount = ChannelKit.assertAll4xx(hub, unsigned, b -> update(t[1], b, wrong[i[0]++]));
        assertEquals("HTTP/1.1 413", ChannelKit.declareTooLarge(hub, "/hooks/" + t[1]));
        assertEquals(404, update("con_00000000000000000000000000", good, SECRET).statusCode());
        assertEquals(404, update("not-a-connection", good, SECRET).statusCode());
        assertTrue(signed + unsignedCount >= 100, "corpus of " + (signed + unsignedCount));
        assertEquals(0, conversations(hub, t[0], "telegram").size());
        assertEquals(200, update(t[1], good, SECRET).statusCode());
    }
}
