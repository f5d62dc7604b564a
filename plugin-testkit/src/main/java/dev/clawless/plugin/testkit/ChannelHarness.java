package dev.clawless.plugin.testkit;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.HookReply;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundRequest;

/**
 * Runs a {@link ChannelExtension} the way the hub runs a webhook — handshake, verify, parse, acknowledge — without a
 * hub, so a channel plugin's tests can post its platform's real payloads and see what the hub would store.
 *
 * <pre>{@code
 * ChannelHarness h = new ChannelHarness(new SlackChannel()).config("api_base_url", fake.baseUrl())
 *         .secret("signing_secret", "s").secret("bot_token", "xoxb-1");
 * ChannelHarness.Received r = h.post(body, Map.of("X-Slack-Signature", sig, "X-Slack-Request-Timestamp", ts));
 * }</pre>
 */
public final class ChannelHarness {

    private final ChannelExtension channel;
    private final Map<String, String> config = new HashMap<>();
    private final Map<String, String> secrets = new HashMap<>();
    private String webhookUrl = "https://hub.example.com/hooks/con_test";

    public ChannelHarness(ChannelExtension channel) {
        this.channel = channel;
    }

    public ChannelHarness config(String name, String value) {
        config.put(name, value);
        return this;
    }

    public ChannelHarness secret(String name, String value) {
        secrets.put(name, value);
        return this;
    }

    public ChannelHarness webhookUrl(String url) {
        this.webhookUrl = url;
        return this;
    }

    /** The connection the hub would hand the channel. */
    public ChannelConnection connection() {
        return new ChannelConnection("con_test", "ten_test", channel.type(), config, secrets, webhookUrl);
    }

    /**
     * What one webhook request led to: the handshake answer (then nothing else ran), or the parsed events and the
     * acknowledgement. Signature failures and malformed bodies surface as the channel's
     * {@link dev.clawless.plugin.api.ChannelException}s, which the hub answers 401 and 400.
     */
    public record Received(Optional<HookReply> handshake, List<InboundEvent> events, Optional<HookReply> ack) {
    }

    /** Posts a body with headers to the channel's webhook. */
    public Received post(String body, Map<String, String> headers) {
        return receive("POST", body.getBytes(StandardCharsets.UTF_8), headers, Map.of());
    }

    /** Any webhook request, as the hub would pass it. */
    public Received receive(String method, byte[] body, Map<String, String> headers, Map<String, String> query) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k, List.of(v)));
        Map<String, List<String>> q = new LinkedHashMap<>();
        query.forEach((k, v) -> q.put(k, List.of(v)));
        InboundRequest request = new InboundRequest(method, webhookUrl, h, q, body);
        ChannelConnection connection = connection();
        Optional<HookReply> handshake = channel.handshake(request, connection);
        if (handshake.isPresent()) {
            return new Received(handshake, List.of(), Optional.empty());
        }
        channel.verify(request, connection);
        List<InboundEvent> events = channel.parse(request, connection);
        return new Received(Optional.empty(), events, Optional.of(channel.acknowledgement(request)));
    }
}
