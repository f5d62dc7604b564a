package clawless.plugins.slack;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.SendResult;
import dev.clawless.plugin.testkit.ChannelHarness;
import dev.clawless.plugin.testkit.SandboxRunner;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The same channel in the hub's sandbox, through the test kit's {@link SandboxRunner}: its own JVM under
 * bubblewrap, its calls to the fake Slack going out through the hub's egress, its refusals keeping their meaning.
 */
class SlackChannelSandboxTest {

    private static WireMockServer fake;
    private static SandboxRunner sandbox;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(SandboxRunner.available(), "bubblewrap is not installed");
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
        sandbox = SandboxRunner.ofClasses("slack-channel", Path.of("target", "classes"),
                List.of(ObjectMapper.class, JsonParser.class, JsonInclude.class));
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (fake != null) {
            fake.stop();
        }
    }

    private static ChannelHarness harness() {
        return new ChannelHarness(sandbox.channel("slack")).secret("signing_secret", SlackChannelTest.SECRET)
                .secret("bot_token", "xoxb-1").config("api_base_url", fake.baseUrl() + "/api");
    }

    @Test
    void signedMessagesAreParsedAndForgedOnesRefusedInTheSandbox() {
        assertNotEquals(ProcessHandle.current().pid(), sandbox.pid());
        long now = Instant.now().getEpochSecond();
        String dm = SlackChannelTest.message("D1", "im", "1700000000.000100", null, "where is my order?");
        InboundMessage m = (InboundMessage) harness().post(dm, SlackChannelTest.signed(dm, now)).events().get(0);
        assertEquals("D1:1700000000.000100", m.externalMessageId());
        assertEquals("where is my order?", m.text());
        assertThrows(ChannelException.Unverified.class, () -> harness().post(dm + " ",
                SlackChannelTest.signed(dm, now)));
        assertThrows(ChannelException.Malformed.class, () -> harness().post("{\"type\":",
                SlackChannelTest.signed("{\"type\":", now)));
    }

    @Test
    void repliesGoOutThroughTheHubsEgress() {
        fake.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"ok\":true,\"channel\":\"C1\",\"ts\":\"1700000009.000100\"}")));
        ChannelHarness h = harness();
        SendResult r = sandbox.channel("slack").send(new OutboundMessage("cnv", "msg", "C1:1700000002.000300",
                "Sure!", List.of(), List.of(), Optional.empty(), Map.of()), h.connection());
        assertEquals(List.of("C1:1700000009.000100"), r.externalMessageIds());
        fake.verify(postRequestedFor(urlEqualTo("/api/chat.postMessage"))
                .withHeader("Authorization", equalTo("Bearer xoxb-1")));
        fake.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "3")));
        ChannelException.SendFailed limited = assertThrows(ChannelException.SendFailed.class, () ->
                sandbox.channel("slack").send(new OutboundMessage("cnv", "msg", "D1", "Hi", List.of(), List.of(),
                        Optional.empty(), Map.of()), h.connection()));
        assertEquals(java.time.Duration.ofSeconds(3), limited.retryAfter().orElseThrow());
    }
}
