package clawless.plugins.discord;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.HttpBodies;
import dev.clawless.plugin.api.OutboundMessage;

/**
 * Discord's REST API for what goes out: a message in a channel (no mention in it pings anyone: the assistant's or an
 * operator's text cannot reach {@code @everyone}), the typing indicator, a direct-message channel to a user, the
 * gateway's address and the bot itself. 429 and 5xx are retryable refusals, with Discord's {@code retry_after}.
 */
final class DiscordOutbound {

    static final ObjectMapper JSON = new ObjectMapper();

    private DiscordOutbound() {
    }

    static final int MAX = 2000;

    /** The message's body: its text, then the URLs of its attachments (Discord shows them inline). */
    static ObjectNode body(OutboundMessage message) {
        return bodies(message).get(0);
    }

    /**
     * The messages to post: the text with the attachments' links, or, when those would take it past Discord's 2,000
     * characters, the text and then the links on their own.
     */
    static java.util.List<ObjectNode> bodies(OutboundMessage message) {
        StringBuilder links = new StringBuilder();
        for (Attachment a : message.attachments()) {
            a.url().filter(u -> u.startsWith("https://") && u.length() < 1000).ifPresent(u -> links
                    .append(links.isEmpty() ? "" : "\n").append(u));
        }
        String text = message.text();
        if (links.isEmpty() || text.length() + 1 + links.length() <= MAX) {
            return java.util.List.of(body(message, text.isEmpty() ? links.toString()
                    : links.isEmpty() ? text : text + "\n" + links));
        }
        return java.util.List.of(body(message, text), body(message, links.length() > MAX
                ? links.substring(0, links.lastIndexOf("\n", MAX)) : links.toString()));
    }

    private static ObjectNode body(OutboundMessage message, String text) {
        ObjectNode body = JSON.createObjectNode().put("content", text);
        body.putObject("allowed_mentions").putArray("parse");
        message.replyToExternalId().filter(id -> id.matches("\\d{1,20}")).ifPresent(id -> body
                .putObject("message_reference").put("message_id", id).put("fail_if_not_exists", false));
        return body;
    }

    /** The channel id of a thread key ({@code dm:<id>} or {@code ch:<id>}). */
    static String channel(String threadKey) {
        int colon = threadKey.indexOf(':');
        String id = colon < 0 ? "" : threadKey.substring(colon + 1);
        if (!id.matches("\\d{1,20}")) {
            throw new ChannelException.SendFailed("not a Discord conversation: " + threadKey, 0, false,
                    Optional.empty(), Optional.empty(), null);
        }
        return id;
    }

    static JsonNode call(DiscordConfig config, String method, String path, Optional<JsonNode> body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.apiBase() + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bot " + config.token())
                .header("User-Agent", "DiscordBot (https://clawless.dev, 1.0)")
                .header("Content-Type", "application/json");
        request.method(method, body.map(b -> HttpRequest.BodyPublishers.ofString(b.toString()))
                .orElse(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> response;
        // a client per call, closed after it: a long-lived client's selector thread would keep this plugin's class
        // loader reachable after it is unloaded
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build()) {
            response = http.send(request.build(), HttpBodies.text(1024 * 1024));
        } catch (IOException e) {
            throw new ChannelException.SendFailed("Discord could not be reached: " + e.getClass().getSimpleName(), 0,
                    true, Optional.empty(), Optional.empty(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelException.SendFailed("interrupted", 0, true, Optional.empty(), Optional.empty(), e);
        }
        JsonNode answer;
        try {
            answer = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            answer = JSON.createObjectNode();
        }
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            double after = answer.path("retry_after").asDouble(response.headers().firstValue("Retry-After")
                    .map(DiscordOutbound::number).orElse(0.0));
            throw new ChannelException.SendFailed("Discord answered " + status + " to " + method + " " + path,
                    status, true, after > 0 ? Optional.of(Duration.ofMillis((long) (Math.min(after, 3600) * 1000)))
                    : Optional.empty(), Optional.ofNullable(answer.path("code").asText(null)), null);
        }
        if (status >= 400) {
            String why = answer.path("message").asText("");
            throw new ChannelException.SendFailed("Discord answered " + status + " to " + method + " " + path
                    + (why.isEmpty() ? "" : ": " + (why.length() > 200 ? why.substring(0, 200) : why)), status, false,
                    Optional.empty(), Optional.ofNullable(answer.path("code").asText(null)), null);
        }
        return answer;
    }

    private static double number(String value) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
