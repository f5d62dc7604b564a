package clawless.plugins.slack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pf4j.Extension;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.HookReply;
import dev.clawless.plugin.api.HttpBodies;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Participant;
import dev.clawless.plugin.api.SendResult;
import dev.clawless.plugin.api.Signatures;

/**
 * Slack through the Events API. Every request is checked against {@code X-Slack-Signature}
 * ({@code v0=hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body))}) with a five-minute replay window
 * on {@code X-Slack-Request-Timestamp}, the URL verification challenge included. Direct messages and mentions start
 * or continue a conversation (with {@code trigger: all}, every channel message the app sees does); bots, the app
 * itself and edits/deletions are ignored. A channel conversation is the thread a message started or belongs to, and
 * replies go into that thread with {@code chat.postMessage}; a direct message conversation is the DM itself.
 * Message ids are {@code <channel>:<ts>}, so Slack's retries of an event are one message.
 */
@Extension
public final class SlackChannel implements ChannelExtension {

    public static final String TYPE = "slack";
    static final Duration REPLAY_WINDOW = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT_API = "https://slack.com/api";

    private final Clock clock;

    public SlackChannel() {
        this(Clock.systemUTC());
    }

    SlackChannel(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema("""
                {"type":"object","additionalProperties":false,"properties":{
                "trigger":{"type":"string","enum":["mention","all"]},
                "api_base_url":{"type":"string","format":"uri"}}}""", List.of("signing_secret", "bot_token"),
                List.of());
    }

    @Override
    public int maxTextLength() {
        return 4000; // Slack's advice for readable messages (it cuts at 40,000)
    }

    // ------------------------------------------------------------------------------------------ inbound

    @Override
    public Optional<HookReply> handshake(InboundRequest request, ChannelConnection connection) {
        JsonNode body = json(request);
        if (!"url_verification".equals(body.path("type").asText())) {
            return Optional.empty();
        }
        verify(request, connection);
        String challenge = body.path("challenge").asText();
        if (challenge.isEmpty() || challenge.length() > 200) {
            throw new ChannelException.Malformed("url_verification without a usable challenge", null);
        }
        return Optional.of(new HookReply(200, "application/json",
                JSON.createObjectNode().put("challenge", challenge).toString()));
    }

    @Override
    public void verify(InboundRequest request, ChannelConnection connection) {
        String secret = connection.secret("signing_secret").orElseThrow(() -> new ChannelException.Unverified(
                "the connection has no signing_secret"));
        String timestamp = request.header("X-Slack-Request-Timestamp").orElseThrow(() ->
                new ChannelException.Unverified("X-Slack-Request-Timestamp is missing"));
        String signature = request.header("X-Slack-Signature").orElseThrow(() ->
                new ChannelException.Unverified("X-Slack-Signature is missing"));
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            throw new ChannelException.Unverified("X-Slack-Request-Timestamp is not a number");
        }
        long age = Math.abs(clock.instant().getEpochSecond() - seconds);
        if (age > REPLAY_WINDOW.toSeconds()) {
            throw new ChannelException.Unverified("the request is " + age + " s away from now: outside the "
                    + REPLAY_WINDOW.toMinutes() + "-minute replay window");
        }
        byte[] body = request.body();
        byte[] base = ("v0:" + seconds + ":").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[base.length + body.length];
        System.arraycopy(base, 0, signed, 0, base.length);
        System.arraycopy(body, 0, signed, base.length, body.length);
        String expected = "v0=" + Signatures.hmacSha256Hex(secret, signed);
        if (!Signatures.constantTimeEquals(expected, signature.strip())) {
            throw new ChannelException.Unverified("X-Slack-Signature does not match the body");
        }
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection connection) {
        JsonNode body = json(request);
        if (!"event_callback".equals(body.path("type").asText())) {
            return List.of(); // app_rate_limited and other envelopes: acknowledged, nothing to store
        }
        JsonNode event = body.path("event");
        String type = event.path("type").asText();
        String subtype = event.path("subtype").asText("");
        boolean mention = type.equals("app_mention");
        if (!(type.equals("message") || mention)) {
            return List.of();
        }
        if (event.hasNonNull("bot_id") || event.hasNonNull("bot_profile")
                || !(subtype.isEmpty() || subtype.equals("thread_broadcast") || subtype.equals("file_share"))) {
            return List.of(); // bots (the app included), edits, deletions, joins
        }
        String channel = text(event, "channel");
        String ts = text(event, "ts");
        String user = text(event, "user");
        String channelType = event.path("channel_type").asText(mention ? "channel" : "");
        boolean direct = channelType.equals("im");
        if (!direct && !mention && !"all".equals(connection.config("trigger").orElse("mention"))) {
            return List.of(); // channel chatter; the app_mention event for the same message is the one kept
        }
        Optional<String> threadTs = Optional.ofNullable(event.path("thread_ts").asText(null));
        String threadKey = direct && threadTs.isEmpty() ? channel : channel + ":" + threadTs.orElse(ts);
        String text = event.path("text").asText("");
        if (mention || text.startsWith("<@")) {
            text = text.replaceFirst("^<@[A-Z0-9]+>\\s*", "");
        }
        Map<String, String> metadata = new HashMap<>();
        metadata.put("slack.team", body.path("team_id").asText(""));
        metadata.put("slack.event_id", body.path("event_id").asText(""));
        metadata.put("slack.channel_type", channelType);
        Instant at = timestamp(ts);
        return List.of(new InboundMessage(TYPE, connection.id(), channel + ":" + ts, threadKey, Participant.of(user),
                text, List.of(), at, direct ? ChatType.DIRECT : ChatType.GROUP,
                threadTs.filter(t -> !t.equals(ts)).map(t -> channel + ":" + t), false, metadata));
    }

    // ------------------------------------------------------------------------------------------ outbound

    @Override
    public void connect(ChannelConnection connection) {
        JsonNode answer = call(connection, "auth.test", JSON.createObjectNode());
        if (!answer.path("ok").asBoolean()) {
            throw new IllegalArgumentException("Slack refused the bot token: " + answer.path("error").asText("?"));
        }
    }

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection connection) {
        String key = message.externalThreadKey();
        int colon = key.indexOf(':');
        String channel = colon < 0 ? key : key.substring(0, colon);
        ObjectNode body = JSON.createObjectNode().put("channel", channel).put("text", message.text());
        if (colon >= 0) {
            body.put("thread_ts", key.substring(colon + 1));
        }
        JsonNode answer = call(connection, "chat.postMessage", body);
        if (!answer.path("ok").asBoolean()) {
            String error = answer.path("error").asText("unknown_error");
            boolean retryable = error.equals("ratelimited") || error.equals("internal_error")
                    || error.equals("service_unavailable") || error.equals("request_timeout");
            throw new ChannelException.SendFailed("Slack refused chat.postMessage: " + error, 200, retryable,
                    Optional.empty(), Optional.of(error), null);
        }
        return new SendResult(List.of(channel + ":" + answer.path("ts").asText()), DeliveryStatus.SENT);
    }

    private JsonNode call(ChannelConnection connection, String method, ObjectNode body) {
        String token = connection.secret("bot_token").orElseThrow(() -> new ChannelException.SendFailed(
                "the connection has no bot_token", 0, false, Optional.empty(), Optional.empty(), null));
        String base = connection.config("api_base_url").orElse(DEFAULT_API).replaceAll("/+$", "");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/" + method))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response;
        // a client per call, closed after it: a long-lived client's selector thread would keep this plugin's class
        // loader reachable after it is unloaded
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build()) {
            response = http.send(request, HttpBodies.text(1024 * 1024));
        } catch (IOException e) {
            throw new ChannelException.SendFailed("Slack could not be reached: " + e.getClass().getSimpleName(), 0,
                    true, Optional.empty(), Optional.empty(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelException.SendFailed("interrupted", 0, true, Optional.empty(), Optional.empty(), e);
        }
        if (response.statusCode() == 429 || response.statusCode() >= 500) {
            Optional<Duration> after = response.headers().firstValue("Retry-After").flatMap(SlackChannel::seconds);
            throw new ChannelException.SendFailed("Slack answered " + response.statusCode() + " to " + method,
                    response.statusCode(), true, after, Optional.empty(), null);
        }
        if (response.statusCode() >= 400) {
            throw new ChannelException.SendFailed("Slack answered " + response.statusCode() + " to " + method,
                    response.statusCode(), false, Optional.empty(), Optional.empty(), null);
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new ChannelException.SendFailed("Slack's answer to " + method + " is not JSON",
                    response.statusCode(), true, Optional.empty(), Optional.empty(), e);
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofSeconds(Math.min(3600, Math.max(0, Long.parseLong(value.strip())))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static JsonNode json(InboundRequest request) {
        try {
            JsonNode node = JSON.readTree(request.body());
            if (node == null || !node.isObject()) {
                throw new ChannelException.Malformed("the body is not a JSON object", null);
            }
            return node;
        } catch (IOException e) {
            throw new ChannelException.Malformed("the body is not JSON", e);
        }
    }

    private static String text(JsonNode event, String field) {
        JsonNode v = event.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank() || v.asText().length() > 100) {
            throw new ChannelException.Malformed("event." + field + " is missing or not a string", null);
        }
        return v.asText();
    }

    private static Instant timestamp(String ts) {
        try {
            double seconds = Double.parseDouble(ts);
            return Instant.ofEpochMilli((long) (seconds * 1000));
        } catch (NumberFormatException e) {
            throw new ChannelException.Malformed("event.ts is not a Slack timestamp", e);
        }
    }
}
