package dev.clawless.server.channels;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.clawless.server.TestHub.json;
import static dev.clawless.server.channels.ChannelKit.await;
import static dev.clawless.server.channels.ChannelKit.conversations;
import static dev.clawless.server.channels.ChannelKit.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a delivery does when it cannot know whether a send went out (the platform answered 5xx or nothing after it
 * may have taken the message): platforms that can show their messages are asked first, the others get the part again
 * and the message is marked {@code delivery_uncertain}. Rate limits delay without spending attempts, until the
 * delivery's maximum age.
 */
class DeliveryCertaintyServerTest {

    private static final String TG_SECRET = "s3cr3t_T0ken-certainty";
    private static final String GH_SECRET = "gh-webhook-secret-certainty";
    private static final String AUTH_TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    private static WireMockServer platform;
    private static TestHub hub;
    private static int bots;

    @BeforeAll
    static void start() {
        platform = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        platform.start();
        // a failed attempt waits at least a second: time for a test to look at what the fake received
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true",
                "CLAWLESS_CHANNELS_DELIVERY_ATTEMPTS", "2", "CLAWLESS_CHANNELS_DELIVERY_MAX_AGE", "8s",
                "CLAWLESS_JOBS_BACKOFF_BASE", "2s", "CLAWLESS_JOBS_BACKOFF_MAX", "2s"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        platform.stop();
    }

    private static String telegramOk() {
        return "{\"ok\":true,\"result\":{\"message_id\":{{randomInt lower=10000 upper=2000000000}},\"date\":1736935300,"
                + "\"chat\":{\"id\":1,\"type\":\"private\"},\"text\":\"x\"}}";
    }

    /** {key, connection id, bot path} of a Telegram bot whose sends answer as {@code scenario} says. */
    private static String[] telegram(String name) {
        String token = (710000 + ++bots) + ":TEST-certain";
        String bot = "/bot" + token;
        platform.stubFor(post(urlEqualTo(bot + "/setWebhook")).willReturn(okJson("{\"ok\":true,\"result\":true}")));
        platform.stubFor(post(urlEqualTo(bot + "/sendChatAction")).willReturn(okJson("{\"ok\":true,\"result\":true}")));
        String key = hub.key(hub.tenant(name), "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        String id = ChannelKit.connect(hub, key, "{\"type\":\"telegram\",\"config\":{\"mode\":\"webhook\","
                + "\"api_base_url\":\"" + platform.baseUrl() + "\"},\"secrets\":{\"bot_token\":\"" + token + "\","
                + "\"webhook_secret\":\"" + TG_SECRET + "\"}}").get("id").asText();
        return new String[] {key, id, bot};
    }

    private static void update(String connection, int messageId, String text) {
        byte[] body = ("{\"update_id\":" + (800000 + messageId) + ",\"message\":{\"message_id\":" + messageId
                + ",\"from\":{\"id\":77,\"is_bot\":false,\"first_name\":\"Ada\"},\"chat\":{\"id\":77,\"type\":"
                + "\"private\"},\"date\":1736935200,\"text\":\"" + text + "\"}}").getBytes(StandardCharsets.UTF_8);
        assertEquals(200, ChannelKit.hook(hub, connection, "application/json", body,
                "X-Telegram-Bot-Api-Secret-Token", TG_SECRET).statusCode());
    }

    private static JsonNode reply(String key, String channel) {
        String conversation = conversations(hub, key, channel).get(0).get("id").asText();
        await("a reply", () -> messages(hub, key, conversation).stream()
                .anyMatch(m -> m.get("direction").asText().equals("outbound")));
        return messages(hub, key, conversation).stream().filter(m -> m.get("direction").asText().equals("outbound"))
                .findFirst().orElseThrow();
    }

    private static JsonNode settled(String key, String channel) {
        String conversation = conversations(hub, key, channel).get(0).get("id").asText();
        await("the reply settled", () -> messages(hub, key, conversation).stream()
                .anyMatch(m -> m.get("direction").asText().equals("outbound")
                        && List.of("sent", "failed").contains(m.get("status").asText())));
        return reply(key, channel);
    }

    @Test
    void aSendThatMayHaveGoneOutIsSentAgainAndMarkedUncertainWhereThePlatformCannotTell() {
        String[] t = telegram("Tg unsure");
        // Telegram took the message, then the answer was a 502: the hub cannot know; Telegram has no way to look
        platform.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).inScenario("unsure")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("up")
                .willReturn(aResponse().withStatus(502).withBody("Bad Gateway")));
        platform.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).inScenario("unsure").whenScenarioStateIs("up")
                .willReturn(okJson(telegramOk())));
        long before = uncertainTotal();
        update(t[1], 101, "Is my order on its way?");
        JsonNode reply = settled(t[0], "telegram");
        assertEquals("sent", reply.get("status").asText(), reply.toString());
        assertTrue(reply.get("delivery_uncertain").asBoolean(), reply.toString());
        assertEquals(2, platform.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))).size());
        assertEquals(before + 1, uncertainTotal());
        String conversation = conversations(hub, t[0], "telegram").get(0).get("id").asText();
        assertTrue(ChannelKit.event(hub, t[0], conversation, "\"part\":0").contains(reply.get("id").asText()));
        // the reply quotes the message it answers, not whatever came last
        assertEquals("77:101", reply.get("reply_to_external_id").asText());
        update(t[1], 102, "Hello again?");
        await("the second reply", () -> platform.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))).size() == 3);
        List<LoggedRequest> sends = platform.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage")));
        assertEquals(101, json(sends.get(0).getBodyAsString()).path("reply_parameters").path("message_id").asInt());
        assertEquals(102, json(sends.get(2).getBodyAsString()).path("reply_parameters").path("message_id").asInt());
    }

    @Test
    void aRateLimitDelaysTheDeliveryWithoutSpendingAttempts() {
        String[] t = telegram("Tg limited");
        // three 429s in a row: more than the two attempts a delivery has
        String limited = "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after 1\","
                + "\"parameters\":{\"retry_after\":1}}";
        String[] states = {Scenario.STARTED, "2", "3", "ok"};
        for (int i = 0; i < 3; i++) {
            platform.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).inScenario("limited").whenScenarioStateIs(states[i])
                    .willSetStateTo(states[i + 1]).willReturn(aResponse().withStatus(429)
                            .withHeader("Content-Type", "application/json").withBody(limited)));
        }
        platform.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).inScenario("limited").whenScenarioStateIs("ok")
                .willReturn(okJson(telegramOk())));
        update(t[1], 201, "Hi there");
        JsonNode reply = settled(t[0], "telegram");
        assertEquals("sent", reply.get("status").asText(), reply.toString());
        assertFalse(reply.get("delivery_uncertain").asBoolean(), "a refusal leaves no doubt: " + reply);
        assertEquals(4, platform.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))).size());
    }

    @Test
    void aDeliveryRateLimitedPastItsMaximumAgeFails() {
        String[] t = telegram("Tg always limited");
        platform.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withBody("{\"ok\":false,\"error_code\":429,"
                        + "\"description\":\"Too Many Requests: retry after 2\",\"parameters\":{\"retry_after\":2}}")));
        update(t[1], 301, "Anyone?");
        String conversation = conversations(hub, t[0], "telegram").get(0).get("id").asText();
        long end = System.currentTimeMillis() + 30_000;
        JsonNode reply = null;
        while (System.currentTimeMillis() < end) {
            reply = messages(hub, t[0], conversation).stream().filter(m -> m.get("direction").asText()
                    .equals("outbound") && m.get("status").asText().equals("failed")).findFirst().orElse(null);
            if (reply != null) {
                break;
            }
            sleep(200);
        }
        assertTrue(reply != null, "the reply never failed");
        assertTrue(reply.get("error").asText().contains("gave up after PT8S"), reply.toString());
        // more sends than its two attempts: the waits were not attempts
        assertTrue(platform.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))).size() >= 3);
    }

    // ---------------------------------------------------------------------------------------------- GitHub

    @Test
    void aGitHubCommentWhoseAnswerWasLostIsFoundInsteadOfPostedTwice() throws Exception {
        String repo = "certain/app";
        String api = platform.baseUrl();
        platform.stubFor(get(urlEqualTo("/repos/" + repo)).willReturn(okJson("{\"id\":9,\"name\":\"app\","
                + "\"full_name\":\"" + repo + "\",\"url\":\"" + api + "/repos/" + repo + "\",\"owner\":{\"login\":"
                + "\"certain\",\"id\":1,\"type\":\"Organization\"}}")));
        platform.stubFor(get(urlEqualTo("/repos/" + repo + "/issues/42")).willReturn(okJson("{\"id\":942,\"number\":42,"
                + "\"title\":\"t\",\"state\":\"open\",\"url\":\"" + api + "/repos/" + repo + "/issues/42\",\"user\":"
                + "{\"login\":\"alice-dev\",\"id\":2}}")));
        String comments = "/repos/" + repo + "/issues/42/comments";
        // GitHub created the comment, but the hub saw a 502
        platform.stubFor(post(urlEqualTo(comments)).willReturn(aResponse().withStatus(502).withBody("{}")));
        String key = hub.key(hub.tenant("Gh unsure"), "[\"channels:admin\",\"conversations:read\","
                + "\"conversations:write\"]");
        String connection = ChannelKit.connect(hub, key, "{\"type\":\"github\",\"config\":{\"bot_login\":"
                + "\"clawless-bot\",\"trigger\":\"all\",\"api_base_url\":\"" + api + "\"},\"secrets\":{"
                + "\"webhook_secret\":\"" + GH_SECRET + "\",\"token\":\"ghp_test\"}}").get("id").asText();
        byte[] event = ChannelKit.text("github", "issue_comment_created.json").replace("acme/widgets", repo)
                .getBytes(StandardCharsets.UTF_8);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(GH_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertEquals(200, ChannelKit.hook(hub, connection, "application/json", event, "X-GitHub-Event",
                "issue_comment", "X-GitHub-Delivery", java.util.UUID.randomUUID().toString(), "X-Hub-Signature-256",
                "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(event))).statusCode());
        await("the first comment", () -> !platform.findAll(postRequestedFor(urlEqualTo(comments))).isEmpty());
        String posted = json(platform.findAll(postRequestedFor(urlEqualTo(comments))).get(0).getBodyAsString())
                .get("body").asText();
        Matcher marker = Pattern.compile("<!-- clawless:(msg_[0-9a-z]+) -->").matcher(posted);
        assertTrue(marker.find(), posted);
        // GitHub's thread shows the comment the hub wrote
        String now = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT);
        platform.stubFor(get(urlPathEqualTo(comments)).willReturn(okJson("[{\"id\":555001,\"body\":"
                + TextNode.valueOf(posted) + ",\"created_at\":\"" + now + "\",\"updated_at\":\"" + now + "\","
                + "\"user\":{\"login\":\"clawless-bot\",\"id\":3}}]")));
        JsonNode reply = settled(key, "github");
        assertEquals("sent", reply.get("status").asText(), reply.toString());
        assertEquals("comment:555001", reply.get("external_message_id").asText());
        assertFalse(reply.get("delivery_uncertain").asBoolean(), reply.toString());
        assertEquals(1, platform.findAll(postRequestedFor(urlEqualTo(comments))).size(), "commented once");
    }

    // ---------------------------------------------------------------------------------------------- Twilio

    @Test
    void aTwilioMessageWhoseAnswerWasLostIsFoundInTheMessageLog() throws Exception {
        String account = "AC" + "c".repeat(32);
        String messages = "/2010-04-01/Accounts/" + account + "/Messages.json";
        platform.stubFor(post(urlEqualTo(messages)).willReturn(twilioFailure()));
        String[] twilio = twilioConversation("Twilio unsure", account);
        String key = twilio[0];
        String body = firstTwilioSend(messages);
        platform.stubFor(get(urlPathEqualTo(messages)).willReturn(okJson(twilioLog(account, body, "SM" + "e".repeat(32)))));
        JsonNode reply = settled(key, "whatsapp");
        assertEquals("sent", reply.get("status").asText(), reply.toString());
        assertEquals("SM" + "e".repeat(32), reply.get("external_message_id").asText());
        assertFalse(reply.get("delivery_uncertain").asBoolean(), reply.toString());
        assertEquals(1, platform.findAll(postRequestedFor(urlEqualTo(messages))).size(), "sent once");

        // the same question again gets the same answer, and its send fails the same way: the log still shows only
        // the first answer, whose id is that message's, so this one is not taken for sent; it goes again, uncertain
        platform.stubFor(post(urlEqualTo(messages)).inScenario("again").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("up").willReturn(twilioFailure()));
        platform.stubFor(post(urlEqualTo(messages)).inScenario("again").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"sid\":\"SM" + "b".repeat(32) + "\",\"status\":\"queued\"}")));
        // the log as Twilio shows it now: the first answer, a moment ago (within the matching window)
        platform.stubFor(get(urlPathEqualTo(messages)).willReturn(okJson(twilioLog(account, body, "SM" + "e".repeat(32)))));
        twilioInbound(twilio[1], account, "SM" + "9".repeat(32), "Hallo");
        await("the second answer settled", () -> platform.findAll(postRequestedFor(urlEqualTo(messages))).size() == 3);
        String conversation = conversations(hub, key, "whatsapp").get(0).get("id").asText();
        await("the second answer sent", () -> messages(hub, key, conversation).stream()
                .anyMatch(m -> m.get("external_message_id").asText("").equals("SM" + "b".repeat(32))));
        JsonNode second = messages(hub, key, conversation).stream()
                .filter(m -> m.get("external_message_id").asText("").equals("SM" + "b".repeat(32))).findFirst()
                .orElseThrow();
        assertEquals(body, second.get("text").asText(), "the same answer");
        assertTrue(second.get("delivery_uncertain").asBoolean(), second.toString());
    }

    @Test
    void twoTwilioMessagesWithTheSameTextCannotBeToldApartSoThePartGoesAgainMarkedUncertain() throws Exception {
        String account = "AC" + "f".repeat(32);
        String messages = "/2010-04-01/Accounts/" + account + "/Messages.json";
        platform.stubFor(post(urlEqualTo(messages)).inScenario("twins").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("up").willReturn(twilioFailure()));
        platform.stubFor(post(urlEqualTo(messages)).inScenario("twins").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"sid\":\"SM" + "a".repeat(32) + "\",\"status\":\"queued\"}")));
        String key = twilioConversation("Twilio twins", account)[0];
        String body = firstTwilioSend(messages);
        // an earlier answer with the same words, sent moments before: either could be this send
        platform.stubFor(get(urlPathEqualTo(messages)).willReturn(okJson(twilioLog(account, body, "SM" + "1".repeat(32),
                "SM" + "2".repeat(32)))));
        JsonNode reply = settled(key, "whatsapp");
        assertEquals("sent", reply.get("status").asText(), reply.toString());
        assertEquals("SM" + "a".repeat(32), reply.get("external_message_id").asText());
        assertTrue(reply.get("delivery_uncertain").asBoolean(), reply.toString());
        assertEquals(2, platform.findAll(postRequestedFor(urlEqualTo(messages))).size(), "sent again");
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder twilioFailure() {
        return aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"code\":20500,\"message\":\"Internal\",\"status\":500}");
    }

    /** A tenant with a Twilio WhatsApp connection and one inbound message; answers the tenant's key and connection. */
    private static String[] twilioConversation(String tenant, String account) throws Exception {
        String key = hub.key(hub.tenant(tenant), "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        String connection = ChannelKit.connect(hub, key, "{\"type\":\"whatsapp\",\"config\":{\"provider\":\"twilio\","
                + "\"from\":\"whatsapp:+14155238886\",\"api_base_url\":\"" + platform.baseUrl() + "\"},\"secrets\":"
                + "{\"account_sid\":\"" + account + "\",\"auth_token\":\"" + AUTH_TOKEN + "\"}}").get("id").asText();
        twilioInbound(connection, account, "SM" + "d".repeat(32), "Hallo");
        return new String[] {key, connection};
    }

    private static void twilioInbound(String connection, String account, String sid, String text) throws Exception {
        String form = "MessageSid=" + sid + "&AccountSid=" + account + "&From=whatsapp%3A%2B4915112345678"
                + "&To=whatsapp%3A%2B14155238886&NumMedia=0&Body=" + java.net.URLEncoder.encode(text,
                StandardCharsets.UTF_8);
        String url = hub.hub().baseUrl() + "/hooks/" + connection;
        assertEquals(200, ChannelKit.hook(hub, connection, "application/x-www-form-urlencoded",
                form.getBytes(StandardCharsets.UTF_8), "X-Twilio-Signature",
                WhatsAppServerTestSignatures.twilio(AUTH_TOKEN, url, form)).statusCode());
    }

    /** Waits for the first send to the Twilio account and answers the text it sent. */
    private static String firstTwilioSend(String messages) {
        await("the first send", () -> !platform.findAll(postRequestedFor(urlEqualTo(messages))).isEmpty());
        for (String pair : platform.findAll(postRequestedFor(urlEqualTo(messages))).get(0).getBodyAsString()
                .split("&")) {
            if (pair.startsWith("Body=")) {
                return URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no Body in the send");
    }

    /** Twilio's message log: one message of {@code body} to the contact per sid, created now. */
    private static String twilioLog(String account, String body, String... sids) {
        String messages = "/2010-04-01/Accounts/" + account + "/Messages.json";
        String created = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern(
                "EEE, dd MMM yyyy HH:mm:ss Z", Locale.ENGLISH));
        StringBuilder list = new StringBuilder();
        for (String sid : sids) {
            list.append(list.isEmpty() ? "" : ",").append("{\"sid\":\"").append(sid).append("\",\"account_sid\":\"")
                    .append(account).append("\",\"to\":\"whatsapp:+4915112345678\",\"from\":\"whatsapp:+14155238886\","
                            + "\"body\":").append(TextNode.valueOf(body)).append(",\"status\":\"sent\",\"date_created\":\"")
                    .append(created).append("\",\"direction\":\"outbound-api\"}");
        }
        return "{\"messages\":[" + list + "],\"uri\":\"" + messages + "\",\"first_page_uri\":\"" + messages
                + "\",\"next_page_uri\":null,\"previous_page_uri\":null,\"page\":0,\"page_size\":50}";
    }

    private static long uncertainTotal() {
        String metrics = hub.call("GET", "/metrics", null, null).body();
        Matcher m = Pattern.compile("(?m)^clawless_deliveries_uncertain_total (\\d+)(?:\\.0+)?$").matcher(metrics);
        assertTrue(m.find(), metrics);
        return Long.parseLong(m.group(1));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
