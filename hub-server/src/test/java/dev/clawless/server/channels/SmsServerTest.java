package dev.clawless.server.channels;

import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.clawless.server.channels.ChannelKit.await;
import static dev.clawless.server.channels.ChannelKit.conversations;
import static dev.clawless.server.channels.ChannelKit.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SMS through Twilio end to end against a WireMock fake of the Messages API: signed messages in and replies out,
 * status callbacks, duplicates, STOP and START honoured, the platform's own opt-out refusal, and a hostile corpus.
 */
class SmsServerTest {

    private static final String AUTH_TOKEN = "5b4a39281706f5e4d3c2b1a09f8e7d6c";
    private static final String NUMBER = "+14155550100";
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

    /** {key, connectionId, account sid, messages path}. */
    private static String[] connect(String name) {
        String account = "AC" + String.format("%032x", 1000 + ++accounts);
        String path = "/2010-04-01/Accounts/" + account + "/Messages.json";
        platform.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"SM{{randomValue length=32 type='HEXADECIMAL'}}\",\"status\":\"queued\"}")));
        String key = hub.key(hub.tenant(name), "[\"channels:admin\",\"conversations:read\",\"conversations:write\"]");
        JsonNode c = ChannelKit.connect(hub, key, "{\"type\":\"sms\",\"config\":{\"from\":\"" + NUMBER + "\","
                + "\"api_base_url\":\"" + platform.baseUrl() + "\"},\"secrets\":{\"account_sid\":\"" + account
                + "\",\"auth_token\":\"" + AUTH_TOKEN + "\"}}");
        return new String[] {key, c.get("id").asText(), account, path};
    }

    private static String fixture(String name, String account) {
        return ChannelKit.text("sms", name).strip().replace("ACREPLACE", account);
    }

    private static HttpResponse<String> signed(String connectionId, String form) {
        try {
            String url = hub.hub().baseUrl() + "/hooks/" + connectionId;
            return ChannelKit.hook(hub, connectionId, "application/x-www-form-urlencoded",
                    form.getBytes(StandardCharsets.UTF_8), "X-Twilio-Signature",
                    WhatsAppServerTestSignatures.twilio(AUTH_TOKEN, url, form));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> sent(String[] t) {
        List<String> out = new ArrayList<>();
        platform.findAll(postRequestedFor(urlEqualTo(t[3]))).forEach(r -> out.add(URLDecoder.decode(
                r.getBodyAsString(), StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void messagesAreAnsweredStatusesTrackedAndStopAndStartHonoured() {
        String[] t = connect("Sms shop");
        String text = fixture("inbound_text.form", t[2]);
        HttpResponse<String> first = signed(t[1], text);
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(first.body().contains("<Response/>"), first.body());
        assertEquals(200, signed(t[1], text).statusCode()); // Twilio retries: stored once
        await("the reply", () -> sent(t).size() == 1);
        String reply = sent(t).get(0);
        assertTrue(reply.contains("To=+573001234567") && reply.contains("From=" + NUMBER)
                && reply.contains("StatusCallback="), reply);
        String cid = conversations(hub, t[0], "sms").get(0).get("id").asText();
        await("sent", () -> messages(hub, t[0], cid).stream().anyMatch(m -> m.get("status").asText().equals("sent")));
        assertEquals(1, messages(hub, t[0], cid).stream()
                .filter(m -> m.get("direction").asText().equals("inbound")).count());
        String sid = messages(hub, t[0], cid).stream().filter(m -> m.get("direction").asText().equals("outbound"))
                .findFirst().orElseThrow().get("external_message_id").asText();
        assertEquals(200, signed(t[1], fixture("status_delivered.form", t[2]).replace("SMREPLACE", sid))
                .statusCode());
        await("delivered", () -> messages(hub, t[0], cid).stream().anyMatch(m ->
                m.get("status").asText().equals("delivered")));

        // STOP: stored, not answered, and nothing more goes out, by the assistant or a person
        assertEquals(200, signed(t[1], fixture("inbound_stop.form", t[2])).statusCode());
        await("the opt-out", () -> ChannelKit.event(hub, t[0], cid, "contact.opted_out") != null);
        JsonNode conversation = TestHub.json(hub.call("GET", "/v1/conversations/" + cid, t[0], null));
        assertEquals("true", conversation.path("metadata").path("opted_out").asText(), conversation.toString());
        HttpResponse<String> refused = hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"¿Seguro?\"}");
        assertEquals(409, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("STOP"), refused.body());
        // a message after STOP that is not START: stored, still not answered
        assertEquals(200, signed(t[1], fixture("inbound_mms.form", t[2])).statusCode());
        await("stored", () -> messages(hub, t[0], cid).stream()
                .filter(m -> m.get("direction").asText().equals("inbound")).count() == 3);
        assertEquals(1, sent(t).size(), "nothing sent after STOP");

        // START: sending resumes (Twilio confirms START itself; the hub does not answer the keyword)
        assertEquals(200, signed(t[1], fixture("inbound_start.form", t[2])).statusCode());
        await("the opt-in", () -> !TestHub.json(hub.call("GET", "/v1/conversations/" + cid, t[0], null))
                .path("metadata").has("opted_out"));
        assertEquals(201, hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"Hola de nuevo, ¿en qué te ayudo?\"}").statusCode());
        await("the operator's message", () -> sent(t).size() == 2);
        assertTrue(sent(t).get(1).contains("Body=Hola de nuevo"), sent(t).get(1));
        // neither STOP, the MMS after it nor START started an assistant turn: one assistant message in all
        assertEquals(1, messages(hub, t[0], cid).stream().filter(m -> m.get("role").asText().equals("assistant"))
                .count(), messages(hub, t[0], cid).toString());
        JsonNode mms = messages(hub, t[0], cid).stream().filter(m -> m.get("attachments").size() == 1).findFirst()
                .orElseThrow();
        assertEquals("image", mms.get("attachments").get(0).get("kind").asText().toLowerCase());

        // the platform's own refusal (21610: the number is opted out at Twilio): shown, not retried
        platform.stubFor(post(urlEqualTo(t[3])).atPriority(1).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"code\":21610,\"message\":\"Attempt to "
                        + "send to unsubscribed recipient\",\"status\":400}")));
        assertEquals(201, hub.call("POST", "/v1/conversations/" + cid + "/messages", t[0],
                "{\"text\":\"x\"}").statusCode());
        String failed = ChannelKit.event(hub, t[0], cid, "\"platform_code\":\"21610\"");
        assertTrue(failed.contains("unsubscribed recipient"), failed);
        platform.removeStub(platform.getStubMappings().stream().filter(s -> s.getPriority() != null
                && s.getPriority() == 1).findFirst().orElseThrow());
    }

    @Test
    void aYesFromAContactWhoNeverOptedOutIsAnsweredAndAddressesMustBeNumbers() {
        String[] t = connect("Sms yes");
        assertEquals(200, signed(t[1], fixture("inbound_start.form", t[2]).replace("Body=Start", "Body=Yes"))
                .statusCode());
        await("the answer", () -> sent(t).size() == 1);
        String cid = conversations(hub, t[0], "sms").get(0).get("id").asText();
        assertFalse(TestHub.json(hub.call("GET", "/v1/conversations/" + cid, t[0], null)).path("metadata")
                .has("opted_out"));
        HttpResponse<String> bad = hub.call("POST", "/v1/channels/" + t[1] + "/test-message", t[0],
                "{\"to\":\"not a number\",\"text\":\"hi\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("E.164"), bad.body());
    }

    @Test
    void hostileRequestsGet4xx() {
        String[] t = connect("Sms hostile");
        String url = hub.hub().baseUrl() + "/hooks/" + t[1];
        List<String> samples = List.of(fixture("inbound_text.form", t[2]), fixture("inbound_mms.form", t[2]),
                fixture("inbound_stop.form", t[2]));
        List<Map.Entry<String, String>> breaks = List.of(
                Map.entry("&MessageSid=[^&]*", "&MessageSid="), Map.entry("&MessageSid=[^&]*", "&MessageSid=SMnothex"),
                Map.entry("&MessageSid=[^&]*", ""), Map.entry("From=[^&]*", "From=whatsapp%3A%2B573001234567"),
                Map.entry("From=[^&]*", "From=573001234567"), Map.entry("From=[^&]*", "From=%2B" + "9".repeat(40)),
                Map.entry("&NumMedia=[^&]*", "&NumMedia=abc"), Map.entry("NumMedia=[^&]*", "NumMedia=99"),
                Map.entry("NumMedia=[^&]*", "NumMedia=-1"), Map.entry("&NumMedia=0", "&NumMedia=1"),
                Map.entry("MediaUrl0=[^&]*", "MediaUrl0=http%3A%2F%2F127.0.0.1%2Fx"),
                Map.entry("Body=[^&]*", "Body=" + "x".repeat(2000)), Map.entry("Body=", "Body=%ZZ"),
                Map.entry("&", "&&"), Map.entry("&", "&Body=dup&"), Map.entry("&ApiVersion", "&=x&ApiVersion"),
                Map.entry("SmsStatus=received", "SmsStatus=received&MessageStatus=exploded"));
        List<byte[]> forms = new ArrayList<>();
        for (String s : samples) {
            for (Map.Entry<String, String> b : breaks) {
                String broken = s.replaceFirst(b.getKey(), b.getValue());
                if (!broken.equals(s)) {
                    forms.add(broken.getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        int n = ChannelKit.assertAll4xx(hub, forms, b -> signed(t[1], new String(b, StandardCharsets.UTF_8)));
        List<byte[]> bodies = new ArrayList<>();
        List<String[]> headers = new ArrayList<>();
        try {
            for (int i = 0; i < samples.size(); i++) {
                String s = samples.get(i);
                String other = samples.get((i + 1) % samples.size());
                for (String[] h : List.of(new String[] {}, new String[] {"X-Twilio-Signature", ""},
                        new String[] {"X-Twilio-Signature", WhatsAppServerTestSignatures.twilio(AUTH_TOKEN, url, other)},
                        new String[] {"X-Twilio-Signature", WhatsAppServerTestSignatures.twilio(AUTH_TOKEN, url + "?x=1",
                                s)},
                        new String[] {"X-Twilio-Signature", WhatsAppServerTestSignatures.twilio("wrong-token", url, s)},
                        new String[] {"X-Twilio-Signature", "not base64 at all!"})) {
                    bodies.add(s.getBytes(StandardCharsets.UTF_8));
                    headers.add(h);
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        int[] i = {0};
        n += ChannelKit.assertAll4xx(hub, bodies, b -> {
            HttpResponse<String> r = ChannelKit.hook(hub, t[1], "application/x-www-form-urlencoded", b,
                    headers.get(i[0]++));
            assertEquals(401, r.statusCode(), r.body());
            return r;
        });
        assertEquals("HTTP/1.1 413", ChannelKit.declareTooLarge(hub, "/hooks/" + t[1]));
        assertTrue(n >= 50, "corpus of " + n);
        assertEquals(0, conversations(hub, t[0], "sms").size());
        assertEquals(List.of(), sent(t));
    }
}
