package dev.clawless.server.channels;

import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
import static dev.clawless.server.channels.ChannelKit.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an admin sets a connection up with: the channel types and their forms, a test message through the platform
 * (WireMock as Telegram and as Twilio), the connection's health, and a delivery that gave up queued again.
 */
class ChannelOperationsServerTest {

    private static final String SECRET = "s3cr3t_T0ken-abc";
    private static final String AUTH_TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    private static WireMockServer platform;
    private static TestHub hub;
    private static int bots;

    @BeforeAll
    static void start() {
        platform = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        platform.start();
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true",
                "CLAWLESS_CHANNELS_DELIVERY_ATTEMPTS", "2", "CLAWLESS_JOBS_BACKOFF_BASE", "100ms",
                "CLAWLESS_JOBS_BACKOFF_MAX", "200ms"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        platform.stop();
    }

    private static String sent(String text) {
        return "{\"ok\":true,\"result\":{\"message_id\":{{randomInt lower=10000 upper=2000000000}},\"date\":1736935300,"
                + "\"chat\":{\"id\":555,\"type\":\"private\"},\"text\":\"" + text + "\"}}";
    }

    /** A tenant's key and a Telegram connection of a bot of its own: {key, connection id, bot path}. */
    private static String[] telegram(String name) {
        String token = (800000 + ++bots) + ":TEST-token_" + bots;
        String bot = "/bot" + token;
        platform.stubFor(post(urlEqualTo(bot + "/setWebhook")).willReturn(okJson("{\"ok\":true,\"result\":true}")));
        platform.stubFor(post(urlEqualTo(bot + "/sendChatAction")).willReturn(okJson("{\"ok\":true,\"result\":true}")));
        platform.stubFor(post(urlEqualTo(bot + "/sendmessage")).willReturn(okJson(sent("x"))));
        String key = hub.key(hub.tenant(name), "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        JsonNode c = ChannelKit.connect(hub, key, "{\"type\":\"telegram\",\"config\":{\"mode\":\"webhook\","
                + "\"api_base_url\":\"" + platform.baseUrl() + "\"},\"secrets\":{\"bot_token\":\"" + token
                + "\",\"webhook_secret\":\"" + SECRET + "\"}}");
        return new String[] {key, c.get("id").asText(), bot};
    }

    private static JsonNode health(String key, String connection) {
        HttpResponse<String> r = hub.call("GET", "/v1/channels/" + connection + "/health", key, null);
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    @Test
    void channelTypesDescribeTheirFormsForTheTenant() {
        String key = hub.key(hub.tenant("Types"), "[\"channels:admin\"]");
        HttpResponse<String> r = hub.call("GET", "/v1/channel-types", key, null);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode data = json(r).get("data");
        List<String> types = new java.util.ArrayList<>();
        data.forEach(t -> types.add(t.get("type").asText()));
        assertEquals(List.of("email", "github", "instagram", "messenger", "sms", "telegram", "webchat", "whatsapp"),
                types);
        for (JsonNode t : data) {
            assertTrue(t.get("built_in").asBoolean(), t.toString());
            assertTrue(t.get("config_schema").isObject() && t.get("config_schema").has("properties"), t.toString());
            assertTrue(t.get("required_secrets").isArray() && t.get("optional_secrets").isArray(), t.toString());
        }
        JsonNode telegram = data.get(types.indexOf("telegram"));
        assertTrue(telegram.at("/config_schema/properties").has("mode"), telegram.toString());
        assertTrue(telegram.get("required_secrets").toString().contains("bot_token"), telegram.toString());
        String reader = hub.key(hub.tenant("Types reader"), "[\"conversations:read\"]");
        assertEquals(403, hub.call("GET", "/v1/channel-types", reader, null).statusCode());
    }

    @Test
    void aTestMessageGoesOutThroughThePlatformAndShowsInTheHealth() {
        String[] t = telegram("Test message");
        JsonNode before = health(t[0], t[1]);
        assertTrue(before.get("last_inbound_at").isNull() && before.get("last_delivery_at").isNull(), before.toString());
        assertEquals(0, before.get("open_conversations").asLong());
        assertEquals(0, before.get("dead_letters").size());

        HttpResponse<String> r = hub.call("POST", "/v1/channels/" + t[1] + "/test-message", t[0],
                "{\"to\":\"555\",\"text\":\"Ping from the console\"}");
        assertEquals(202, r.statusCode(), r.body());
        String conversation = json(r).get("conversation_id").asText();
        String message = json(r).get("message_id").asText();
        assertTrue(conversation.startsWith("cnv_") && message.startsWith("msg_"), r.body());
        await("sent", () -> messages(hub, t[0], conversation).stream()
                .anyMatch(m -> m.get("id").asText().equals(message) && m.get("status").asText().equals("sent")));
        String body = platform.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))).get(0).getBodyAsString();
        assertTrue(body.contains("555") && body.contains("Ping from the console"), body);
        JsonNode m = messages(hub, t[0], conversation).get(0);
        assertEquals("operator", m.get("role").asText());
        assertEquals("outbound", m.get("direction").asText());

        // the platform writes back: the health shows both directions and the open conversation
        HttpResponse<String> in = ChannelKit.hook(hub, t[1], "application/json", ("{\"update_id\":1,\"message\":"
                + "{\"message_id\":7,\"from\":{\"id\":555,\"is_bot\":false,\"first_name\":\"Pat\"},\"chat\":{\"id\":555,"
                + "\"first_name\":\"Pat\",\"type\":\"private\"},\"date\":1736935200,\"text\":\"pong\"}}")
                .getBytes(StandardCharsets.UTF_8), "X-Telegram-Bot-Api-Secret-Token", SECRET);
        assertEquals(200, in.statusCode(), in.body());
        JsonNode after = health(t[0], t[1]);
        assertFalse(after.get("last_inbound_at").isNull(), after.toString());
        assertFalse(after.get("last_delivery_at").isNull(), after.toString());
        assertEquals(1, after.get("open_conversations").asLong());
        assertTrue(after.get("poll_error").isNull());
        assertTrue(messages(hub, t[0], conversation).stream().anyMatch(x -> x.get("text").asText().equals("pong")),
                "the answer lands in the conversation the test started");
        assertTrue(hub.admin("GET", "/admin/audit?action=channel.test_message_sent", null).body().contains(t[1]));
    }

    @Test
    void aTestMessageIsRefusedWhereItCannotGo() {
        String[] t = telegram("Refusals");
        HttpResponse<String> empty = hub.call("POST", "/v1/channels/" + t[1] + "/test-message", t[0], "{}");
        assertEquals(400, empty.statusCode());
        String errors = json(empty).get("errors").toString();
        assertTrue(errors.contains("\"to\"") && errors.contains("\"text\""), errors);
        HttpResponse<String> handle = hub.call("POST", "/v1/channels/" + t[1] + "/test-message", t[0],
                "{\"to\":\"@someone\",\"text\":\"hi\"}");
        assertEquals(400, handle.statusCode());
        assertEquals("to", json(handle).at("/errors/0/field").asText(), handle.body());
        assertEquals(400, hub.call("POST", "/v1/channels/" + t[1] + "/test-message", t[0],
                "{\"to\":\"555\",\"text\":\"   \"}").statusCode());
        // a web chat has no address to write to
        JsonNode webchat = ChannelKit.connect(hub, t[0], "{\"type\":\"webchat\",\"config\":{\"allowed_origins\":"
                + "[\"https://shop.example\"]}}");
        HttpResponse<String> widget = hub.call("POST", "/v1/channels/" + webchat.get("id").asText()
                + "/test-message", t[0], "{\"to\":\"visitor\",\"text\":\"hi\"}");
        assertEquals(409, widget.statusCode(), widget.body());
        assertTrue(json(widget).get("detail").asText().contains("web chat"), widget.body());
        // disabled, or another tenant's: nothing goes out
        assertEquals(200, hub.call("PATCH", "/v1/channels/" + t[1], t[0], "{\"enabled\":false}").statusCode());
        assertEquals(409, hub.call("POST", "/v1/channels/" + t[1] + "/test-message", t[0],
                "{\"to\":\"555\",\"text\":\"hi\"}").statusCode());
        String other = hub.key(hub.tenant("Refusals other"), "[\"channels:admin\"]");
        assertEquals(404, hub.call("POST", "/v1/channels/" + t[1] + "/test-message", other,
                "{\"to\":\"555\",\"text\":\"hi\"}").statusCode());
        assertEquals(404, hub.call("GET", "/v1/channels/" + t[1] + "/health", other, null).statusCode());
        assertEquals(0, platform.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))).size());
    }

    @Test
    void aWhatsAppTestMessageToANewNumberNeedsATemplate() {
        String account = "AC" + String.format("%032x", 4242);
        String path = "/2010-04-01/Accounts/" + account + "/Messages.json";
        platform.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"SM{{randomValue length=32 type='HEXADECIMAL'}}\",\"status\":\"queued\"}")));
        String key = hub.key(hub.tenant("Wa test"), "[\"channels:admin\",\"conversations:read\"]");
        String connection = ChannelKit.connect(hub, key, "{\"type\":\"whatsapp\",\"config\":{\"provider\":\"twilio\","
                + "\"from\":\"whatsapp:+14155238886\",\"api_base_url\":\"" + platform.baseUrl() + "\"},"
                + "\"secrets\":{\"account_sid\":\"" + account + "\",\"auth_token\":\"" + AUTH_TOKEN + "\"}}")
                .get("id").asText();
        HttpResponse<String> free = hub.call("POST", "/v1/channels/" + connection + "/test-message", key,
                "{\"to\":\"whatsapp:+15551234567\",\"text\":\"Hello\"}");
        assertEquals(409, free.statusCode(), free.body());
        assertTrue(json(free).get("detail").asText().contains("template"), free.body());
        assertEquals(400, hub.call("POST", "/v1/channels/" + connection + "/test-message", key,
                "{\"to\":\"+1 555\",\"text\":\"Hello\"}").statusCode());
        HttpResponse<String> r = hub.call("POST", "/v1/channels/" + connection + "/test-message", key,
                "{\"to\":\"whatsapp:+15551234567\",\"template\":{\"id\":\"HXb5b62575e6e4ff6129ad7c8efe1f983e\","
                        + "\"variables\":{\"1\":\"Pat\"}}}");
        assertEquals(202, r.statusCode(), r.body());
        await("sent to Twilio", () -> !platform.findAll(postRequestedFor(urlEqualTo(path))).isEmpty());
        String form = URLDecoder.decode(platform.findAll(postRequestedFor(urlEqualTo(path))).get(0).getBodyAsString(),
                StandardCharsets.UTF_8);
        assertTrue(form.contains("To=whatsapp:+15551234567") && form.contains("ContentSid=HXb5b62575e6e4ff6129ad7c8efe1f983e"),
                form);
    }

    @Test
    void aDeliveryThatGaveUpIsADeadLetterAnAdminQueuesAgain() {
        String[] t = telegram("Dead letters");
        platform.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"ok\":false,\"error_code\":500,\"description\":\"Internal Server Error\"}")));
        String conversation = json(hub.call("POST", "/v1/channels/" + t[1] + "/test-message", t[0],
                "{\"to\":\"555\",\"text\":\"Will this arrive?\"}")).get("conversation_id").asText();
        await("the dead letter", () -> health(t[0], t[1]).get("dead_letters").size() == 1);
        JsonNode dead = health(t[0], t[1]).get("dead_letters").get(0);
        assertEquals("deliver", dead.get("kind").asText());
        assertEquals(conversation, dead.get("conversation_id").asText());
        assertEquals(2, dead.get("attempts").asInt());
        assertTrue(dead.get("error").asText().contains("500"), dead.toString());
        assertFalse(dead.get("failed_at").isNull());
        assertTrue(dead.get("id").asText().matches("job_[0-9]+"), dead.toString());
        assertEquals("failed", messages(hub, t[0], conversation).get(0).get("status").asText());

        // another tenant, another connection, a made-up id: not found
        String jobId = dead.get("id").asText();
        String other = hub.key(hub.tenant("Dead letters other"), "[\"channels:admin\"]");
        assertEquals(404, hub.call("POST", "/v1/channels/" + t[1] + "/dead-letters/" + jobId + "/retry", other, null)
                .statusCode());
        String[] second = telegram("Dead letters second");
        assertEquals(404, hub.call("POST", "/v1/channels/" + second[1] + "/dead-letters/" + jobId + "/retry",
                second[0], null).statusCode());
        assertEquals(404, hub.call("POST", "/v1/channels/" + t[1] + "/dead-letters/job_x/retry", t[0], null)
                .statusCode());

        // the platform is back (slowly): the retry queues it, asking again while it runs changes nothing
        platform.stubFor(post(urlEqualTo(t[2] + "/sendmessage")).willReturn(okJson(sent("x"))
                .withFixedDelay(1500)));
        HttpResponse<String> retried = hub.call("POST", "/v1/channels/" + t[1] + "/dead-letters/" + jobId + "/retry",
                t[0], null);
        assertEquals(202, retried.statusCode(), retried.body());
        assertEquals(jobId, json(retried).get("id").asText());
        assertEquals("queued", json(retried).get("status").asText());
        HttpResponse<String> again = hub.call("POST", "/v1/channels/" + t[1] + "/dead-letters/" + jobId + "/retry",
                t[0], null);
        assertEquals(202, again.statusCode(), again.body());
        assertTrue(List.of("queued", "running").contains(json(again).get("status").asText()), again.body());
        await("delivered", () -> messages(hub, t[0], conversation).get(0).get("status").asText().equals("sent"));
        assertEquals(0, health(t[0], t[1]).get("dead_letters").size());
        assertFalse(health(t[0], t[1]).get("last_delivery_at").isNull());
        assertEquals(3, platform.findAll(postRequestedFor(urlEqualTo(t[2] + "/sendmessage"))
                .withRequestBody(containing("Will this arrive?"))).size(), "two attempts that failed, one retried");
        HttpResponse<String> done = hub.call("POST", "/v1/channels/" + t[1] + "/dead-letters/" + jobId + "/retry",
                t[0], null);
        assertEquals(404, done.statusCode(), "a job that is done is not a dead letter: " + done.body());
        String audit = hub.admin("GET", "/admin/audit?action=channel.dead_letter_retried", null).body();
        assertTrue(audit.contains(t[1]) && audit.contains(jobId), audit);
    }
}
