package dev.clawless.server.channels;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WhatsApp end to end, via Twilio and via Meta's Cloud API, against WireMock fakes of both. */
class WhatsAppServerTest {

    private static final String AUTH_TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    private static final String APP_SECRET = "6f1d8c0b2a3e4f5d6c7b8a9e0f1d2c3b";
    private static final String PHONE_ID = "106540352242922";
    private static WireMockServer platform;
    private static TestHub hub;
    private static int accounts;

    @BeforeAll
    static void start() {
        platform = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        platform.start();
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true",
                "CLAWLESS_CHANNELS_DELIVERY_ATTEMPTS", "3", "CLAWLESS_JOBS_BACKOFF_BASE", "200ms",
                "CLAWLESS_JOBS_BACKOFF_MAX", "1s"));
    }

    @AfterAll
    static void stop() {
        hub.close();
        platform.stop();
    }

    // ------------------------------------------------------------------------------------------------- Twilio

    /** {key, connectionId, account sid, messages path}. */
    private static String[] twilio(String name) {
        String account = "AC" + String.format("%032x", ++accounts);
        String path = "/2010-04-01/Accounts/" + account + "/Messages.json";
        platform.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"SM{{randomValue length=32 type='HEXADECIMAL'}}\",\"status\":\"queued\"}")));
        String key = hub.key(hub.tenant(name), "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        JsonNode c = ChannelKit.connect(hub, key, "{\"type\":\"whatsapp\",\"config\":{\"provider\":\"twilio\","
                + "\"from\":\"whatsapp:+14155238886\",\"api_base_url\":\"" + platform.baseUrl() + "\"},"
                + "\"secrets\":{\"account_sid\":\"" + account + "\",\"auth_token\":\"" + AUTH_TOKEN + "\"}}");
        return new String[] {key, c.get("id").asText(), account, path};
    }

    static String twilioSignature(String url, String form) throws Exception {
        return WhatsAppServerTestSignatures.twilio(AUTH_TOKEN, url, form);
    }

    private static HttpResponse<String> twilioPost(String connectionId, String form) throws Exception {
        String url = hub.hub().baseUrl() + "/hooks/" + connectionId;
        return ChannelKit.hook(hub, connectionId, "application/x-www-form-urlencoded",
                form.getBytes(StandardCharsets.UTF_8), "X-Twilio-Signature", twilioSignature(url, form));
    }

    private static String form(Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append(b.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return b.toString();
    }

    @Test
    void twilioMessagesAreAnsweredAndStatusCallbacksTrackTheReply() throws Exception {
        String[] t = twilio("Wa twilio");
        String text = ChannelKit.text("twilio", "inbound_text.form").strip();
        HttpResponse<String> r = twilioPost(t[1], text);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("<Response/>") && r.headers().firstValue("Content-Type").orElse("")
                .startsWith("text/xml"), r.body());
        assertEquals(200, twilioPost(t[1], text).statusCode()); // Twilio retried
        await("the reply", () -> !platform.findAll(postRequestedFor(urlEqualTo(t[3]))).isEmpty());
        String cid = conversations(hub, t[0], "whatsapp").get(0).get("id").asText();
        await("sent", () -> messages(hub, t[0], cid).stream().anyMatch(m -> m.get("status").asText().equals("sent")));
        List<JsonNode> ms = messages(hub, t[0], cid);
        assertEquals(2, ms.size(), ms.toString());
        assertTrue(ms.get(0).get("text").asText().startsWith("Hallo, ich habe eine Frage zu Bestellung #4711"));
        LoggedRequest sent = platform.findAll(postRequestedFor(urlEqualTo(t[3]))).get(0);
        String body = URLDecoder.decode(sent.getBodyAsString(), StandardCharsets.UTF_8);
        assertTrue(body.contains("To=whatsapp:+4915112345678") && body.contains("From=whatsapp:+14155238886")
                && body.contains("StatusCallback=" + hub.hub().baseUrl() + "/hooks/" + t[1]), body);
        assertTrue(sent.getHeader("Authorization").startsWith("Basic "));
        assertEquals(1, platform.findAll(postRequestedFor(urlEqualTo(t[3]))).size());

        String sid = ms.get(1).get("external_message_id").asText();
        Map<String, String> read = new LinkedHashMap<>();
        read.put("SmsSid", sid);
        read.put("SmsStatus", "read");
        read.put("MessageStatus", "read");
        read.put("To", "whatsapp:+4915112345678");
        read.put("MessageSid", sid);
        read.put("AccountSid", t[2]);
        read.put("From", "whatsapp:+14155238886");
        read.put("ApiVersion", "2010-04-01");
        assertEquals(200, twilioPost(t[1], form(read)).statusCode());
        await("read", () -> messages(hub, t[0], cid).get(1).get("status").asText().equals("read"));
        read.put("MessageStatus", "delivered"); // late and out of order: a status never goes back
        read.put("SmsStatus", "delivered");
        assertEquals(200, twilioPost(t[1], form(read)).statusCode());
        assertEquals("read", messages(hub, t[0], cid).get(1).get("status").asText());

        for (String f : List.of("inbound_media.form", "inbound_reply.form", "inbound_button.form",
                "inbound_location.form")) {
            assertEquals(200, twilioPost(t[1], ChannelKit.text("twilio", f).strip()).statusCode(), f);
        }
        List<JsonNode> inbound = messages(hub, t[0], cid).stream()
                .filter(m -> m.get("direction").asText().equals("inbound")).toList();
        assertEquals(5, inbound.size());
        JsonNode media = inbound.get(1);
        assertEquals(2, media.get("attachments").size());
        assertEquals("application/pdf", media.get("attachments").get(1).get("mime_type").asText());
        assertTrue(inbound.stream().anyMatch(m -> m.get("reply_to_external_id").asText("").startsWith("SM")));
        assertTrue(inbound.stream().anyMatch(m -> m.get("metadata").path("whatsapp.button_payload").asText()
                .equals("confirm_order_4711")));

        // media is fetched on request: Twilio wants the account's basic auth, then redirects to a CDN that gets none
        String mediaPath = media.get("attachments").get(0).get("url").asText()
                .substring("https://api.twilio.com".length());
        platform.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo(mediaPath))
                .withBasicAuth(t[2], AUTH_TOKEN).willReturn(aResponse().withStatus(307)
                        .withHeader("Location", platform.baseUrl() + "/cdn/photo.jpg")));
        platform.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/cdn/photo.jpg"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "image/jpeg")
                        .withBody(new byte[] {9, 8, 7})));
        HttpResponse<byte[]> bytes = hub.sendBytes(hub.request("/v1/conversations/" + cid + "/messages/"
                + media.get("id").asText() + "/attachments/0").header("Authorization", "Bearer " + t[0]));
        assertEquals(200, bytes.statusCode(), new String(bytes.body(), StandardCharsets.UTF_8));
        assertEquals(3, bytes.body().length);
        assertTrue(platform.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                urlEqualTo("/cdn/photo.jpg"))).get(0).getHeader("Authorization") == null);
    }

    @Test
    void outsideTheWindowOnlyTemplatesGoOutAndRefusalsAreRecorded() throws Exception {
        String[] t = twilio("Wa window");
        assertEquals(200, twilioPost(t[1], ChannelKit.text("twilio", "inbound_text.form").strip()).statusCode());
        String cid = conversations(hub, t[0], "whatsapp").get(0).get("id").asText();
        await("the reply", () -> platform.findAll(postRequestedFor(urlEqualTo(t[3]))).size() == 1);
        hub.hub().database().execute().createUpdate("UPDATE messages SET created_at = ? WHERE conversation_id = ?")
                .params(Instant.now().minus(Duration.ofHours(25)).atOffset(java.time.ZoneOffset.UTC), cid).execute();
        HttpResponse<String> closed = hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"Are you still there?\"}");
        assertEquals(409, closed.statusCode(), closed.body());
        assertTrue(closed.body().contains("template"), closed.body());
        HttpResponse<String> templated = hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"template\":{\"id\":\"HXb5b62575e6e4ff6129ad7c8efe1f983e\",\"variables\":{\"1\":\"Anna\"}}}");
        assertEquals(201, templated.statusCode(), templated.body());
        await("the template", () -> platform.findAll(postRequestedFor(urlEqualTo(t[3]))).size() == 2);
        String body = URLDecoder.decode(platform.findAll(postRequestedFor(urlEqualTo(t[3]))).get(1)
                .getBodyAsString(), StandardCharsets.UTF_8);
        assertTrue(body.contains("ContentSid=HXb5b62575e6e4ff6129ad7c8efe1f983e")
                && body.contains("ContentVariables={\"1\":\"Anna\"}") && !body.contains("Body="), body);

        // the platform itself refuses a free-form message (63016): recorded on the message and as delivery.failed
        platform.stubFor(post(urlEqualTo(t[3])).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"code\":63016,\"message\":\"Failed to "
                        + "send freeform message because you are outside the allowed window.\",\"status\":400}")));
        assertEquals(200, twilioPost(t[1], ChannelKit.text("twilio", "inbound_reply.form").strip()).statusCode());
        await("the refusal", () -> messages(hub, t[0], cid).stream().anyMatch(m ->
                m.get("status").asText().equals("failed") && m.get("error").asText().startsWith("63016")));
        String failedEvent = ChannelKit.event(hub, t[0], cid, "\"platform_code\":\"63016\"");
        assertTrue(failedEvent.startsWith("data: ") && failedEvent.contains("outside the allowed window"), failedEvent);
    }

    @Test
    void twilioHostileRequestsGet4xx() throws Exception {
        String[] t = twilio("Wa hostile");
        String url = hub.hub().baseUrl() + "/hooks/" + t[1];
        List<String> forms = new ArrayList<>();
        List<String> samples = new ArrayList<>();
        for (String f : List.of("inbound_text.form", "inbound_media.form", "inbound_reply.form",
                "inbound_button.form", "inbound_location.form", "status_read.form")) {
            samples.add(ChannelKit.text("twilio", f).strip());
        }
        List<Map.Entry<String, String>> breaks = List.of(
                Map.entry("&MessageSid=[^&]*", "&MessageSid="), Map.entry("&MessageSid=[^&]*", "&MessageSid=SMnothex"),
                Map.entry("&MessageSid=[^&]*", ""), Map.entry("From=[^&]*", "From=%2B4915112345678"),
                Map.entry("From=[^&]*", "From=whatsapp%3A" + "9".repeat(60)), Map.entry("&NumMedia=[^&]*", "&NumMedia=abc"),
                Map.entry("NumMedia=[^&]*", "NumMedia=99"), Map.entry("NumMedia=[^&]*", "NumMedia=-1"),
                Map.entry("MessageStatus=[^&]*", "MessageStatus=exploded"),
                Map.entry("Body=[^&]*", "Body=" + "x".repeat(5000)), Map.entry("Body=", "Body=%ZZ"),
                Map.entry("&", "&&"), Map.entry("&", "&Body=dup&"), Map.entry("&ApiVersion", "&=x&ApiVersion"),
                Map.entry("&NumMedia=0", "&NumMedia=1"), Map.entry("Latitude=[^&]*", "Latitude=NaN"),
                Map.entry("Longitude=[^&]*", "Longitude=east"));
        for (String s : samples.subList(0, 5)) { // inbound messages (a status of an unknown sid is rightly ignored)
            for (Map.Entry<String, String> b : breaks) {
                String broken = s.replaceFirst(b.getKey(), b.getValue());
                if (!broken.equals(s)) {
                    forms.add(broken);
                }
            }
        }
        List<byte[]> signed = new ArrayList<>();
        forms.forEach(f -> signed.add(f.getBytes(StandardCharsets.UTF_8)));
        int n = ChannelKit.assertAll4xx(hub, signed, b -> {
            try {
                String f = new String(b, StandardCharsets.UTF_8);
                return ChannelKit.hook(hub, t[1], "application/x-www-form-urlencoded", b, "X-Twilio-Signature",
                        twilioSignature(url, f));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        // unsigned, mis-signed, replayed signatures of other bodies, wrong URL, wrong content type, bad bytes
        List<byte[]> bodies = new ArrayList<>();
        List<String[]> headers = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            String s = samples.get(i);
            String other = samples.get((i + 1) % samples.size());
            for (String[] h : List.of(new String[] {}, new String[] {"X-Twilio-Signature", ""},
                    new String[] {"X-Twilio-Signature", twilioSignature(url, other)},
                    new String[] {"X-Twilio-Signature", twilioSignature(url + "?x=1", s)},
                    new String[] {"X-Twilio-Signature", twilioSignature("https://evil.example/hooks/" + t[1], s)},
                    new String[] {"X-Twilio-Signature", "not base64 at all!"})) {
                bodies.add(s.getBytes(StandardCharsets.UTF_8));
                headers.add(h);
            }
        }
        int[] i = {0};
        n += ChannelKit.assertAll4xx(hub, bodies, b -> ChannelKit.hook(hub, t[1], "application/x-www-form-urlencoded",
                b, headers.get(i[0]++)));
        String good = samples.get(0);
        byte[] latin1 = (good + "&Extra=caf\u00e9").getBytes(StandardCharsets.ISO_8859_1);
        latin1 = new String(latin1, StandardCharsets.ISO_8859_1).replace("%", "%").getBytes(StandardCharsets.ISO_8859_1);
        HttpResponse<String> asJson = ChannelKit.hook(hub, t[1], "application/json", good.getBytes(StandardCharsets.UTF_8),
                "X-Twilio-Signature", twilioSignature(url, good));
        HttpResponse<String> badBytes = ChannelKit.hook(hub, t[1], "application/x-www-form-urlencoded", latin1,
                "X-Twilio-Signature", "x");
        assertTrue(asJson.statusCode() / 100 == 4 && badBytes.statusCode() / 100 == 4);
        assertTrue(n >= 100, "corpus of " + n);
        assertEquals(0, conversations(hub, t[0], "whatsapp").size());
        assertEquals(200, twilioPost(t[1], good).statusCode());
    }

    // ------------------------------------------------------------------------------------------------- Meta

    private static String[] meta(String name) {
        String token = "EAAG" + (++accounts);
        String path = "/v21.0/" + PHONE_ID + "/messages";
        platform.stubFor(post(urlEqualTo(path)).withHeader("Authorization",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer " + token))
                .willReturn(okJson("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"4915112345678\","
                        + "\"wa_id\":\"4915112345678\"}],\"messages\":[{\"id\":\"wamid.{{randomValue length=24 "
                        + "type='ALPHANUMERIC'}}\"}]}")));
        String key = hub.key(hub.tenant(name), "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        JsonNode c = ChannelKit.connect(hub, key, "{\"type\":\"whatsapp\",\"config\":{\"provider\":\"meta\","
                + "\"phone_number_id\":\"" + PHONE_ID + "\",\"api_base_url\":\"" + platform.baseUrl() + "\"},"
                + "\"secrets\":{\"access_token\":\"" + token + "\",\"app_secret\":\"" + APP_SECRET + "\","
                + "\"verify_token\":\"verify-me-123\"}}");
        return new String[] {key, c.get("id").asText(), token, path};
    }

    static String metaSignature(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(APP_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static HttpResponse<String> metaPost(String connectionId, byte[] body) throws Exception {
        return ChannelKit.hook(hub, connectionId, "application/json", body, "X-Hub-Signature-256",
                metaSignature(body));
    }

    @Test
    void metaHandshakeMessagesAndStatuses() throws Exception {
        String[] t = meta("Wa meta");
        HttpResponse<String> challenge = hub.send(hub.request("/hooks/" + t[1]
                + "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me-123").GET());
        assertEquals(200, challenge.statusCode());
        assertEquals("1158201444", challenge.body());
        assertEquals(401, hub.send(hub.request("/hooks/" + t[1]
                + "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess").GET()).statusCode());

        byte[] text = fixture("meta", "text.json");
        assertEquals(200, metaPost(t[1], text).statusCode());
        assertEquals(200, metaPost(t[1], text).statusCode());
        await("the reply", () -> !platform.findAll(postRequestedFor(urlEqualTo(t[3]))).isEmpty());
        String cid = conversations(hub, t[0], "whatsapp").get(0).get("id").asText();
        await("sent", () -> messages(hub, t[0], cid).stream().anyMatch(m -> m.get("status").asText().equals("sent")));
        JsonNode sentBody = json(platform.findAll(postRequestedFor(urlEqualTo(t[3]))).get(0).getBodyAsString());
        assertEquals("4915112345678", sentBody.get("to").asText());
        assertEquals("text", sentBody.get("type").asText());
        String wamid = messages(hub, t[0], cid).get(1).get("external_message_id").asText();
        assertTrue(wamid.startsWith("wamid."), wamid);
        // a document is uploaded to Meta's media store and sent by id
        platform.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/files/invoice.pdf"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/pdf")
                        .withBody("%PDF-1.4 test".getBytes(StandardCharsets.UTF_8))));
        platform.stubFor(post(urlEqualTo("/v21.0/" + PHONE_ID + "/media")).willReturn(okJson("{\"id\":\"9001\"}")));
        assertEquals(201, hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0], "{\"text\":\"Your "
                + "invoice\",\"attachments\":[{\"url\":\"" + platform.baseUrl() + "/files/invoice.pdf\"}]}")
                .statusCode());
        await("the document", () -> platform.findAll(postRequestedFor(urlEqualTo(t[3]))).size() == 3);
        assertTrue(platform.findAll(postRequestedFor(urlEqualTo("/v21.0/" + PHONE_ID + "/media"))).get(0)
                .getBodyAsString().contains("%PDF-1.4 test"));
        JsonNode document = json(platform.findAll(postRequestedFor(urlEqualTo(t[3]))).get(2).getBodyAsString());
        assertEquals("9001", document.path("document").path("id").asText(), document.toString());
        assertEquals("invoice.pdf", document.path("document").path("filename").asText());

        String delivered = ChannelKit.text("meta", "status_delivered.json")
                .replaceFirst("\"id\": \"wamid[^\"]*\"", "\"id\": \"" + wamid + "\"");
        assertEquals(200, metaPost(t[1], delivered.getBytes(StandardCharsets.UTF_8)).statusCode());
        await("delivered", () -> messages(hub, t[0], cid).get(1).get("status").asText().equals("delivered"));

        for (String f : List.of("image.json", "document.json", "audio.json", "video.json", "sticker.json",
                "location.json", "interactive_button_reply.json", "interactive_list_reply.json", "button.json",
                "reply_context.json", "reaction.json", "unsupported.json", "multi_entry.json", "status_read.json",
                "status_failed.json", "status_sent.json")) {
            assertEquals(200, metaPost(t[1], fixture("meta", f)).statusCode(), f);
        }
        long inbound = conversations(hub, t[0], "whatsapp").stream()
                .flatMap(c -> messages(hub, t[0], c.get("id").asText()).stream())
                .filter(m -> m.get("direction").asText().equals("inbound")).count();
        assertEquals(12, inbound); // text + 10 kinds + one of multi_entry (the other number is not this connection)
    }

    @Test
    void metaHostileRequestsGet4xx() throws Exception {
        String[] t = meta("Wa meta hostile");
        List<String> valid = new ArrayList<>();
        for (String f : List.of("text.json", "image.json", "location.json", "interactive_button_reply.json",
                "status_failed.json", "multi_entry.json")) {
            valid.add(ChannelKit.text("meta", f));
        }
        List<byte[]> bodies = ChannelKit.hostileJson(valid, List.of(
                Map.entry("\"object\": \"whatsapp_business_account\"", "\"object\": \"page\""),
                Map.entry("\"entry\": \\[", "\"entry\": {\"x\": ["),
                Map.entry("\"from\": \"\\d+\"", "\"from\": 4915112345678"),
                Map.entry("\"from\": \"\\d+\"", "\"from\": \"+49 151\""),
                Map.entry("\"timestamp\": \"\\d+\"", "\"timestamp\": \"yesterday\""),
                Map.entry("\"messages\": \\[", "\"messages\": {\"x\": ["),
                Map.entry("\"statuses\": \\[", "\"statuses\": \"all\", \"x\": ["),
                Map.entry("\"body\": \"", "\"body\": \"" + "y".repeat(5000)),
                Map.entry("\"latitude\": [-0-9.]+", "\"latitude\": \"north\""),
                Map.entry("\"value\": \\{", "\"value\": 7, \"x\": {")));
        int n = ChannelKit.assertAll4xx(hub, bodies, b -> {
            try {
                return metaPost(t[1], b);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        byte[] good = fixture("meta", "text.json");
        byte[] other = fixture("meta", "image.json");
        List<byte[]> unsigned = List.of(good, good, good, good);
        String[][] wrong = {{}, {"X-Hub-Signature-256", ""}, {"X-Hub-Signature-256", metaSignature(other)},
                {"X-Hub-Signature-256", metaSignature(good).replace("sha256=", "sha1=")}};
        int[] i = {0};
        n += ChannelKit.assertAll4xx(hub, unsigned, b -> ChannelKit.hook(hub, t[1], "application/json", b,
                wrong[i[0]++]));
        assertTrue(n >= 100, "corpus of " + n);
        assertEquals(0, conversations(hub, t[0], "whatsapp").size());
    }
}
