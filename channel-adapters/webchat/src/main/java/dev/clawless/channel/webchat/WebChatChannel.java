package dev.clawless.channel.webchat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.SendResult;
import dev.clawless.plugin.api.Signatures;

/**
 * The embeddable widget's channel. Visitors reach the hub through its own {@code /widget/v1} endpoints (sessions
 * opened with the connection's publishable key from an allowed origin), not through platform webhooks; replies
 * reach them over the session's event stream, so sending here only acknowledges. Identity verification: a site that
 * knows its user passes {@code user_hash} = hex HMAC-SHA256(identity secret, user id).
 */
public final class WebChatChannel implements ChannelExtension {

    public static final String TYPE = "webchat";
    private static final String SCHEMA = """
            {"type": "object", "additionalProperties": false, "required": ["allowed_origins"],
             "properties": {
               "allowed_origins": {"type": "array", "maxItems": 50,
                                   "items": {"type": "string", "maxLength": 200,
                                             "pattern": "^(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|null)$"},
                                   "description": "origins that may embed the widget (null: sandboxed and file: pages)"},
               "theme": {"type": "object", "description": "widget colours and texts, handed to the widget as is"},
               "require_identity": {"type": "boolean", "default": false,
                                    "description": "refuse sessions without a verified user"},
               "api_base_url": {"type": "string", "format": "uri", "description": "unused: the widget talks to the hub"}
             }}""";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema(SCHEMA, List.of(), List.of("identity_secret"));
    }

    @Override
    public int maxTextLength() {
        return 20_000;
    }

    @Override
    public void verify(InboundRequest request, ChannelConnection connection) {
        throw new ChannelException.Unverified("webchat takes no webhooks: the widget uses /widget/v1");
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection connection) {
        return List.of();
    }

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection connection) {
        // the visitor's stream carries the reply (message.created); nothing leaves the hub
        return new SendResult(List.of("web:" + message.messageId()), DeliveryStatus.SENT);
    }

    /** True when {@code hash} is the hex HMAC-SHA256 of {@code userId} under the connection's identity secret. */
    public static boolean identityVerified(ChannelConnection c, String userId, String hash) {
        return c.secret("identity_secret").map(secret -> Signatures.constantTimeEquals(
                Signatures.hmacSha256Hex(secret, userId.getBytes(StandardCharsets.UTF_8)), hash.toLowerCase()))
                .orElse(false);
    }
}
