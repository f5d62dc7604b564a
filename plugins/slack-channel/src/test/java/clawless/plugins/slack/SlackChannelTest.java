package clawless.plugins.slack;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.SendResult;
import dev.clawless.plugin.api.Signatures;
import dev.clawless.plugin.testkit.ChannelHarness;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Slack channel through the test kit's harness, the way the hub runs a webhook, and a fake Slack Web API. */
class SlackChannelTest {

    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static WireMockServer fake;

    @BeforeAll
    static void start() {
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
    }

    @AfterAll
    static void stop() {
        fake.stop();
    }

    private static ChannelHarness harness() {
        return new ChannelHarness(new SlackChannel()).secret("signing_secret", SECRET).secret("bot_token", "xoxb-1")
                .config("api_base_url", fake.baseUrl() + "/api");
    }

    static Map<String, String> signed(String body, long timestamp) {
        return Map.of("X-Slack-Request-Timestamp", Long.toString(timestamp), "X-Slack-Signature", "v0="
                + Signatures.hmacSha256Hex(SECRET, ("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)),
                "Content-Type", "application/json");
    }

    static String message(String channel, String channelType, String ts, String threadTs, String text) {
        return "{\"token\":\"x\",\"team_id\":\"T1\",\"api_app_id\":\"A1\",\"type\":\"event_callback\","
                + "\"event_id\":\"Ev" + ts.replace(".", "") + "\",\"event_time\":1,\"event\":{\"type\":\"message\","
                + "\"channel\":\"" + channel + "\",\"channel_type\":\"" + channelType + "\",\"user\":\"U42\","
                + "\"text\":\"" + text + "\",\"ts\":\"" + ts + "\"" + (threadTs == null ? ""
                : ",\"thread_ts\":\"" + threadTs + "\"") + "}}";
    }

    @Test
    void slacksDocumentedSignatureExampleVerifies() {
        // https://api.slack.com/authentication/verifying-requests-from-slack (the worked example)
        String body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
                + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
                + "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
                + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        String expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
        assertEquals(expected, "v0=" + Signatures.hmacSha256Hex(SECRET, ("v0:1531420618:" + body)
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void urlVerificationAnswersTheChallengeOnlyWhenSigned() {
        String body = "{\"token\":\"x\",\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\","
                + "\"type\":\"url_verification\"}";
        long now = Instant.now().getEpochSecond();
        ChannelHarness.Received r = harness().post(body, signed(body, now));
        assertEquals("{\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\"}",
                r.handshake().orElseThrow().body());
        assertThrows(ChannelException.Unverified.class, () -> harness().post(body, Map.of()));
    }

    @Test
    void staleOrForgedRequestsAreRefused() {
        String body = message("D1", "im", "1700000000.000100", null, "hi");
        long now = Instant.now().getEpochSecond();
        // well outside the five minutes: a step of this machine's clock between the two readings must not matter
        assertThrows(ChannelException.Unverified.class, () -> harness().post(body, signed(body, now - 330)));
        assertThrows(ChannelException.Unverified.class, () -> harness().post(body, signed(body, now + 330)));
        assertThrows(ChannelException.Unverified.class, () -> harness().post(body + " ", signed(body, now)));
        assertThrows(ChannelException.Malformed.class, () -> harness().post("{\"type\":", signed("{\"type\":", now)));
    }

    @Test
    void directMessagesChannelThreadsAndMentions() {
        long now = Instant.now().getEpochSecond();
        String dm = message("D1", "im", "1700000000.000100", null, "where is my order?");
        InboundMessage m = (InboundMessage) harness().post(dm, signed(dm, now)).events().get(0);
        assertEquals("D1:1700000000.000100", m.externalMessageId());
        assertEquals("D1", m.externalThreadKey());
        assertEquals(ChatType.DIRECT, m.chatType());
        assertEquals("U42", m.sender().externalId());

        String reply = message("C1", "channel", "1700000001.000200", "1700000000.000900", "and another thing");
        assertTrue(harness().post(reply, signed(reply, now)).events().isEmpty(), "channel chatter is not a trigger");
        assertEquals("C1:1700000000.000900", ((InboundMessage) harness().config("trigger", "all")
                .post(reply, signed(reply, now)).events().get(0)).externalThreadKey());

        String mention = "{\"type\":\"event_callback\",\"team_id\":\"T1\",\"event_id\":\"Ev9\",\"event\":{"
                + "\"type\":\"app_mention\",\"channel\":\"C1\",\"user\":\"U42\",\"text\":\"<@U0BOT> can you help?\","
                + "\"ts\":\"1700000002.000300\"}}";
        InboundMessage mm = (InboundMessage) harness().post(mention, signed(mention, now)).events().get(0);
        assertEquals("can you help?", mm.text());
        assertEquals("C1:1700000002.000300", mm.externalThreadKey());

        String bot = "{\"type\":\"event_callback\",\"event\":{\"type\":\"message\",\"channel\":\"D1\","
                + "\"channel_type\":\"im\",\"bot_id\":\"B1\",\"text\":\"I am a bot\",\"ts\":\"1700000003.1\"}}";
        assertTrue(harness().post(bot, signed(bot, now)).events().isEmpty());
        String edit = "{\"type\":\"event_callback\",\"event\":{\"type\":\"message\",\"subtype\":\"message_changed\","
                + "\"channel\":\"D1\",\"channel_type\":\"im\",\"ts\":\"1700000004.1\"}}";
        assertTrue(harness().post(edit, signed(edit, now)).events().isEmpty());
    }

    @Test
    void repliesGoIntoTheThreadWithChatPostMessage() {
        fake.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"ok\":true,\"channel\":\"C1\",\"ts\":\"1700000009.000100\"}")));
        ChannelHarness h = harness();
        SendResult r = new SlackChannel().send(new OutboundMessage("cnv", "msg", "C1:1700000002.000300", "Sure!",
                java.util.List.of(), java.util.List.of(), java.util.Optional.empty(), Map.of()), h.connection());
        assertEquals(java.util.List.of("C1:1700000009.000100"), r.externalMessageIds());
        fake.verify(postRequestedFor(urlEqualTo("/api/chat.postMessage"))
                .withHeader("Authorization", equalTo("Bearer xoxb-1"))
                .withRequestBody(equalToJson("{\"channel\":\"C1\",\"text\":\"Sure!\",\"thread_ts\":\"1700000002.000300\"}")));

        fake.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(200)
                .withBody("{\"ok\":false,\"error\":\"not_in_channel\"}")));
        ChannelException.SendFailed refused = assertThrows(ChannelException.SendFailed.class, () ->
                new SlackChannel().send(new OutboundMessage("cnv", "msg", "D1", "Hi", java.util.List.of(),
                        java.util.List.of(), java.util.Optional.empty(), Map.of()), h.connection()));
        assertEquals(false, refused.retryable());
        fake.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "3")));
        ChannelException.SendFailed limited = assertThrows(ChannelException.SendFailed.class, () ->
                new SlackChannel().send(new OutboundMessage("cnv", "msg", "D1", "Hi", java.util.List.of(),
                        java.util.List.of(), java.util.Optional.empty(), Map.of()), h.connection()));
        assertTrue(limited.retryable());
        assertEquals(java.time.Duration.ofSeconds(3), limited.retryAfter().orElseThrow());
    }
}
