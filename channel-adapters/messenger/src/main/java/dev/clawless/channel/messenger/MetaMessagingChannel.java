package dev.clawless.channel.messenger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.channel.metagraph.GraphApi;
import dev.clawless.channel.metagraph.MetaWebhooks;
import dev.clawless.channel.metagraph.PublicMedia;
import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.HookReply;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.SendResult;

/**
 * What {@link MessengerChannel} and {@link InstagramChannel} share: Meta's webhook rules ({@link MetaWebhooks}), the
 * Send API through {@link GraphApi}, the 24-hour standard messaging window and, after it, a person's reply for up to
 * 7 days tagged {@code HUMAN_AGENT}; typing indicators; inbound media fetched from Meta's CDN on request.
 */
abstract class MetaMessagingChannel implements ChannelExtension {

    private final MessengerPlatform platform;
    private final GraphApi graph = new GraphApi(Set.of());

    MetaMessagingChannel(MessengerPlatform platform) {
        this.platform = platform;
    }

    @Override
    public String type() {
        return platform.type();
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema(MessengerConfig.schema(platform), List.of("page_access_token", "app_secret",
                "verify_token"), List.of());
    }

    @Override
    public int maxTextLength() {
        return platform.maxText();
    }

    @Override
    public Optional<Duration> replyWindow() {
        return Optional.of(Duration.ofHours(24));
    }

    @Override
    public Optional<Duration> humanReplyWindow() {
        return Optional.of(Duration.ofDays(7));
    }

    @Override
    public void connect(ChannelConnection c) {
        MessengerConfig.check(platform, c);
    }

    @Override
    public Optional<HookReply> handshake(InboundRequest request, ChannelConnection c) {
        return MetaWebhooks.handshake(request, c);
    }

    @Override
    public void verify(InboundRequest request, ChannelConnection c) {
        MetaWebhooks.verify(request, c);
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection c) {
        return MessengerInbound.parse(request.body(), c.id(), MessengerConfig.of(platform, c));
    }

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection c) {
        MessengerConfig config = MessengerConfig.of(platform, c);
        if (message.metadata().containsKey("template")) {
            // WhatsApp's way past the window; here it would be free-form text sent where Meta forbids it
            throw new ChannelException.SendFailed(platform.type() + " has no message templates: past the 24-hour"
                    + " window only a person's reply may go out (tagged HUMAN_AGENT)", 0, false, Optional.empty(),
                    Optional.of("no_templates"), null);
        }
        List<String> ids = new ArrayList<>();
        for (ObjectNode request : MessengerOutbound.requests(message)) {
            JsonNode answer = graph.postJson(c, "me/messages", config.token(), request);
            String id = answer.path("message_id").asText("");
            if (id.isEmpty()) {
                throw new ChannelException.SendFailed("Send API answered without a message_id", 200, true,
                        Optional.empty(), Optional.empty(), null);
            }
            ids.add(id);
        }
        if (ids.isEmpty()) {
            throw new ChannelException.Malformed("nothing to send: no text and no attachment with a URL", null);
        }
        return new SendResult(ids, DeliveryStatus.SENT);
    }

    @Override
    public void typing(ChannelConnection c, String externalThreadKey) {
        MessengerConfig config = MessengerConfig.of(platform, c);
        graph.postJson(c, "me/messages", config.token(), MessengerOutbound.senderAction(externalThreadKey,
                "typing_on"));
    }

    /** Inbound media live on Meta's CDN under a signed URL: fetched without the token, public addresses only. */
    @Override
    public Media download(ChannelConnection c, Attachment attachment, long maxBytes) {
        String apiBase = GraphApi.base(c);
        String url = attachment.url().filter(u -> u.startsWith("https://") || u.startsWith(apiBase + "/"))
                .orElseThrow(() -> new ChannelException.Malformed("the attachment has no https URL", null));
        return PublicMedia.fetch(graph.http(), java.net.URI.create(url), Optional.empty(), maxBytes,
                attachment.mimeType().orElse("application/octet-stream"), c);
    }
}
