package dev.clawless.server.channels;

import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.TestHub.json;
import static dev.clawless.server.channels.ChannelKit.await;
import static dev.clawless.server.channels.ChannelKit.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One person across channels: verified identities share a contact; a conversation moves from web chat to WhatsApp. */
class CrossChannelServerTest {

    private static final String ACCOUNT = "AC" + "c".repeat(32);
    private static final String MESSAGES = "/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json";
    private static WireMockServer platform;

    @BeforeAll
    static void start() {
        platform = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        platform.start();
        platform.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"SM{{randomValue length=32 type='HEXADECIMAL'}}\",\"status\":\"queued\"}")));
        platform.stubFor(post(urlEqualTo("/v21.0/106540352242922/messages")).willReturn(okJson(
                "{\"messages\":[{\"id\":\"wamid.{{randomValue length=20 type='ALPHANUMERIC'}}\"}]}")));
    }

    @AfterAll
    static void stop() {
        platform.stop();
    }

    /** The whole channel path (connections, ingest, delivery parts, statuses, identities) on both databases. */
    @ParameterizedTest
    @EnumSource(TestDatabases.Engine.class)
    void aWebChatMovesToWhatsAppWithItsContextAndTheSamePersonIsOneContact(TestDatabases.Engine engine)
            throws Exception {
        platform.resetRequests();
        DatabaseConfig db = TestDatabases.config(engine);
        try (TestHub hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true",
                "CLAWLESS_DB_URL", db.url(), "CLAWLESS_DB_USERNAME", db.username()))) {
            flow(hub);
        }
    }

    private static void flow(TestHub hub) throws Exception {
        String key = hub.key(hub.tenant("Omni"), "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        String pk = ChannelKit.connect(hub, key, "{\"type\":\"webchat\",\"config\":{\"allowed_origins\":"
                + "[\"https://shop.example\"]}}").get("publishable_key").asText();
        String twilio = ChannelKit.connect(hub, key, "{\"type\":\"whatsapp\",\"config\":{\"provider\":\"twilio\","
                + "\"from\":\"whatsapp:+14155238886\",\"api_base_url\":\"" + platform.baseUrl() + "\"},\"secrets\":"
                + "{\"account_sid\":\"" + ACCOUNT + "\",\"auth_token\":\"tok\"}}").get("id").asText();
        String meta = ChannelKit.connect(hub, key, "{\"type\":\"whatsapp\",\"config\":{\"provider\":\"meta\","
                + "\"phone_number_id\":\"106540352242922\",\"api_base_url\":\"" + platform.baseUrl() + "\"},"
                + "\"secrets\":{\"access_token\":\"t\",\"app_secret\":\"s3cret-meta-app-secret\",\"verify_token\":\"v\"}}")
                .get("id").asText();

        HttpResponse<String> session = hub.send(hub.request("/widget/v1/sessions").header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"publishable_key\":\"" + pk + "\"}")));
        String token = json(session).get("session_token").asText();
        String web = json(session).get("conversation_id").asText();
        assertEquals(202, hub.send(hub.request("/widget/v1/messages").header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"text\":\"Can we continue on WhatsApp? My order is #4711.\"}"))).statusCode());
        await("the web reply", () -> messages(hub, key, web).size() == 2);

        // a new WhatsApp contact cannot get free-form text: the window was never opened
        HttpResponse<String> refused = hub.call("POST", "/v1/conversations/" + web + "/transfer", key,
                "{\"connection_id\":\"" + twilio + "\",\"address\":\"+49 151 12345678\",\"text\":\"Hi!\"}");
        assertEquals(409, refused.statusCode(), refused.body());
        assertEquals(400, hub.call("POST", "/v1/conversations/" + web + "/transfer", key, "{\"connection_id\":\""
                + twilio + "\",\"address\":\"not a phone\",\"text\":\"Hi!\"}").statusCode());
        HttpResponse<String> moved = hub.call("POST", "/v1/conversations/" + web + "/transfer", key,
                "{\"connection_id\":\"" + twilio + "\",\"address\":\"+49 151 12345678\","
                        + "\"template\":{\"id\":\"HXcontinue\",\"variables\":{\"1\":\"#4711\"}}}");
        assertEquals(201, moved.statusCode(), moved.body());
        JsonNode wa = json(moved);
        assertEquals("whatsapp", wa.get("channel").asText());
        JsonNode webConversation = json(hub.call("GET", "/v1/conversations/" + web, key, null));
        assertEquals(webConversation.get("contact_id").asText(), wa.get("contact_id").asText());
        await("the template", () -> platform.findAll(postRequestedFor(urlEqualTo(MESSAGES))).size() == 1);
        String sent = URLDecoder.decode(platform.findAll(postRequestedFor(urlEqualTo(MESSAGES))).get(0)
                .getBodyAsString(), StandardCharsets.UTF_8);
        assertTrue(sent.contains("To=whatsapp:+4915112345678") && sent.contains("ContentSid=HXcontinue"), sent);
        List<JsonNode> carried = messages(hub, key, wa.get("id").asText());
        assertEquals("system", carried.get(0).get("role").asText());
        assertTrue(carried.get(0).get("text").asText().contains("My order is #4711"), carried.toString());

        // the customer answers on WhatsApp: the same conversation; and on the other WhatsApp number: the same contact
        String form = "MessageSid=SM" + "a".repeat(32) + "&From=whatsapp%3A%2B4915112345678&To=whatsapp%3A%2B14155238886"
                + "&Body=Yes%2C+here+I+am&NumMedia=0&SmsStatus=received&ProfileName=Anna";
        String url = hub.hub().baseUrl() + "/hooks/" + twilio;
        assertEquals(200, ChannelKit.hook(hub, twilio, "application/x-www-form-urlencoded",
                form.getBytes(StandardCharsets.UTF_8), "X-Twilio-Signature",
                WhatsAppServerTestSignatures.twilio("tok", url, form)).statusCode());
        assertTrue(messages(hub, key, wa.get("id").asText()).stream()
                .anyMatch(m -> m.get("text").asText().equals("Yes, here I am")));
        byte[] metaBody = ChannelKit.fixture("meta", "text.json");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("s3cret-meta-app-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertEquals(200, ChannelKit.hook(hub, meta, "application/json", metaBody, "X-Hub-Signature-256",
                "sha256=" + HexFormat.of().formatHex(mac.doFinal(metaBody))).statusCode());
        JsonNode metaConversation = ChannelKit.conversations(hub, key, "whatsapp").stream()
                .filter(c -> c.get("connection_id").asText().equals(meta)).findFirst().orElseThrow();
        assertEquals(wa.get("contact_id").asText(), metaConversation.get("contact_id").asText());

        // Twilio reports the template read: the status lands on the sent message, found by its platform id
        String sid = messages(hub, key, wa.get("id").asText()).stream()
                .filter(m -> m.get("role").asText().equals("operator")).findFirst().orElseThrow()
                .get("external_message_id").asText();
        String read = "MessageSid=" + sid + "&MessageStatus=read&SmsStatus=read&From=whatsapp%3A%2B14155238886"
                + "&To=whatsapp%3A%2B4915112345678";
        assertEquals(200, ChannelKit.hook(hub, twilio, "application/x-www-form-urlencoded",
                read.getBytes(StandardCharsets.UTF_8), "X-Twilio-Signature",
                WhatsAppServerTestSignatures.twilio("tok", url, read)).statusCode());
        assertEquals("read", messages(hub, key, wa.get("id").asText()).stream()
                .filter(m -> m.get("role").asText().equals("operator")).findFirst().orElseThrow()
                .get("status").asText());
    }
}
