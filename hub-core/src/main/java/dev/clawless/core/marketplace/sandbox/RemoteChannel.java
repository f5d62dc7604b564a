package dev.clawless.core.marketplace.sandbox;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.plugin.api.HookReply;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Poll;
import dev.clawless.plugin.api.SendResult;
import dev.clawless.plugin.api.SentCheck;

/**
 * A sandboxed plugin's channel as the hub sees it: every method a call into the child. A connection's configured
 * {@code api_base_url} becomes reachable by the sandbox's network when the hub hands it that connection. When the
 * sandbox itself fails, a send fails as retryable (the delivery is retried, never lost) and a webhook is refused
 * with the reason.
 */
final class RemoteChannel implements ChannelExtension {

    private final SandboxedPlugin plugin;
    private final int ext;
    private final String type;
    private final ConfigSchema configSchema;
    private final int maxTextLength;
    private final Optional<Duration> replyWindow;

    RemoteChannel(SandboxedPlugin plugin, int ext, String type, ConfigSchema configSchema, int maxTextLength,
                  Optional<Duration> replyWindow) {
        this.plugin = plugin;
        this.ext = ext;
        this.type = type;
        this.configSchema = configSchema;
        this.maxTextLength = maxTextLength;
        this.replyWindow = replyWindow;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public ConfigSchema configSchema() {
        return configSchema;
    }

    @Override
    public int maxTextLength() {
        return maxTextLength;
    }

    @Override
    public Optional<Duration> replyWindow() {
        return replyWindow;
    }

    private ObjectNode body(ChannelConnection connection) {
        ObjectNode body = Wire.JSON.createObjectNode().put("ext", ext);
        if (connection != null) {
            connection.config("api_base_url").ifPresent(u -> {
                try {
                    plugin.allowHost(URI.create(u).getHost());
                } catch (IllegalArgumentException ignored) {
                    // not a URL: the plugin fails on it by itself
                }
            });
            body.set("connection", Wire.JSON.valueToTree(connection));
        }
        return body;
    }

    private <T> T call(String method, ObjectNode body, JavaType type, Duration extra) {
        JsonNode answer;
        try {
            answer = plugin.call("channel." + method, body, null, extra);
        } catch (SandboxFailure e) {
            if (method.equals("send")) {
                throw new ChannelException.SendFailed(e.getMessage(), 503, true, Optional.of(Duration.ofSeconds(5)),
                        Optional.of("sandbox"), e);
            }
            throw e;
        }
        JsonNode value = answer == null ? NullNode.getInstance() : answer.path("value");
        if (type == null) {
            return null;
        }
        try {
            return Wire.JSON.readValue(Wire.JSON.treeAsTokens(value.isMissingNode() ? NullNode.getInstance() : value),
                    type);
        } catch (IOException e) {
            throw new ChannelException.Malformed("the plugin's answer to " + method + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    private static JavaType of(Class<?> c) {
        return Wire.JSON.getTypeFactory().constructType(c);
    }

    private static JavaType of(TypeReference<?> t) {
        return Wire.JSON.getTypeFactory().constructType(t);
    }

    private static ObjectNode with(ObjectNode body, String field, Object value) {
        body.set(field, Wire.JSON.valueToTree(value));
        return body;
    }

    @Override
    public void verify(InboundRequest request, ChannelConnection connection) {
        call("verify", with(body(connection), "request", request), null, Duration.ZERO);
    }

    @Override
    public Optional<ReplayKey> replayKey(InboundRequest request, ChannelConnection connection) {
        Optional<ReplayKey> key = call("replayKey", with(body(connection), "request", request),
                of(new TypeReference<Optional<ReplayKey>>() { }), Duration.ZERO);
        return key == null ? Optional.empty() : key;
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection connection) {
        List<InboundEvent> events = call("parse", with(body(connection), "request", request),
                of(new TypeReference<List<InboundEvent>>() { }), Duration.ZERO);
        return events == null ? List.of() : events;
    }

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection connection) {
        SendResult r = call("send", with(body(connection), "message", message), of(SendResult.class), Duration.ZERO);
        if (r == null) {
            throw new ChannelException.SendFailed("the plugin's send returned nothing", 0, false, Optional.empty(),
                    Optional.empty(), null);
        }
        return r;
    }

    @Override
    public SentCheck findSent(OutboundMessage message, ChannelConnection connection, Instant startedAt) {
        ObjectNode body = with(body(connection), "message", message).put("startedAt", startedAt.toString());
        SentCheck c = call("findSent", body, of(SentCheck.class), Duration.ZERO);
        return c == null ? SentCheck.unknown() : c;
    }

    @Override
    public boolean uploadsMedia(ChannelConnection connection) {
        return Boolean.TRUE.equals(call("uploadsMedia", body(connection), of(Boolean.class), Duration.ZERO));
    }

    @Override
    public Optional<HookReply> handshake(InboundRequest request, ChannelConnection connection) {
        Optional<HookReply> r = call("handshake", with(body(connection), "request", request),
                of(new TypeReference<Optional<HookReply>>() { }), Duration.ZERO);
        return r == null ? Optional.empty() : r;
    }

    @Override
    public HookReply acknowledgement(InboundRequest request) {
        HookReply r = call("acknowledgement", with(body(null), "request", request), of(HookReply.class),
                Duration.ZERO);
        return r == null ? HookReply.ok() : r;
    }

    @Override
    public void connect(ChannelConnection connection) {
        call("connect", body(connection), null, Duration.ZERO);
    }

    @Override
    public void disconnect(ChannelConnection connection) {
        call("disconnect", body(connection), null, Duration.ZERO);
    }

    @Override
    public boolean polls(ChannelConnection connection) {
        return Boolean.TRUE.equals(call("polls", body(connection), of(Boolean.class), Duration.ZERO));
    }

    @Override
    public Poll poll(ChannelConnection connection, Optional<String> cursor, Duration maxWait) {
        ObjectNode body = body(connection).put("maxWaitMillis", maxWait.toMillis());
        cursor.ifPresent(c -> body.put("cursor", c));
        Poll p = call("poll", body, of(Poll.class), maxWait);
        return p == null ? Poll.empty() : p;
    }

    @Override
    public void acknowledge(ChannelConnection connection, Poll poll) {
        call("acknowledge", with(body(connection), "poll", poll), null, Duration.ZERO);
    }

    @Override
    public NewThread newThread(ChannelConnection connection, String address) {
        NewThread t = call("newThread", body(connection).put("address", address), of(NewThread.class),
                Duration.ZERO);
        if (t == null) {
            throw new ChannelException.Malformed(type + " cannot start conversations", null);
        }
        return t;
    }

    @Override
    public Media download(ChannelConnection connection, Attachment attachment, long maxBytes) {
        ObjectNode body = with(body(connection), "attachment", attachment).put("maxBytes", maxBytes);
        Media m = call("download", body, of(Media.class), Duration.ZERO);
        if (m == null) {
            throw new ChannelException.Malformed(type + " gave no attachment", null);
        }
        if (m.bytes().length > maxBytes) {
            throw new ChannelException.Malformed("the attachment is larger than " + maxBytes + " bytes", null);
        }
        return m;
    }

    @Override
    public void typing(ChannelConnection connection, String externalThreadKey) {
        call("typing", body(connection).put("threadKey", externalThreadKey), null, Duration.ZERO);
    }
}
