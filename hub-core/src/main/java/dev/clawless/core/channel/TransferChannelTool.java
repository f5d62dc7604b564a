package dev.clawless.core.channel;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.security.Actor;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/**
 * {@code transfer_channel}: continues the conversation on another of the tenant's channels (the customer asks to
 * move from the web chat to WhatsApp or e-mail), carrying the summary and recent context. It writes to a new address,
 * so it is mutating: the turn waits for an operator's approval.
 */
public final class TransferChannelTool implements ToolExtension {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ChannelManagement channels;

    public TransferChannelTool(ChannelManagement channels) {
        this.channels = channels;
    }

    @Override
    public ToolSpec spec() {
        return new ToolSpec("transfer_channel", "Continue this conversation on another channel the customer asked"
                + " for (whatsapp, email, telegram), at the address they gave. A first message goes there; tell the"
                + " customer where to look.", """
                {"type":"object","required":["channel","address","message"],"properties":{
                  "channel":{"type":"string","description":"channel type: whatsapp, email, telegram"},
                  "address":{"type":"string","description":"phone number (+4915…), e-mail address or chat id"},
                  "message":{"type":"string","description":"the first message to send there"},
                  "template":{"type":"string","description":"WhatsApp only: approved template id, needed for a new contact"}}}""",
                true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        if (context.conversationId().isEmpty()) {
            return ToolResult.error("there is no conversation to transfer");
        }
        JsonNode args;
        try {
            args = JSON.readTree(call.argumentsJson());
        } catch (java.io.IOException e) {
            return ToolResult.error("arguments must be a JSON object");
        }
        String type = args.path("channel").asText("");
        String address = args.path("address").asText("");
        String message = args.path("message").asText("");
        if (type.isEmpty() || address.isEmpty() || message.isEmpty() || message.length() > 4000) {
            return ToolResult.error("channel, address and message (at most 4000 characters) are required");
        }
        List<Channel> candidates = channels.list(context.tenantId()).stream()
                .filter(c -> c.type().equals(type) && c.enabled()).toList();
        if (candidates.isEmpty()) {
            return ToolResult.error("this business has no " + type + " channel");
        }
        Map<String, String> template = args.hasNonNull("template")
                ? Map.of(Deliveries.TEMPLATE, args.get("template").asText()) : Map.of();
        try {
            Conversation to = channels.transfer(new Actor("tool:transfer_channel", call.id()), context.tenantId(),
                    context.conversationId().get(), candidates.get(0).id(), address, message, template);
            return ToolResult.ok(JSON.createObjectNode().put("transferred", true).put("conversation_id", to.id())
                    .put("channel", type).toString());
        } catch (ClawlessException e) {
            return ToolResult.error(e.detail());
        }
    }

}
