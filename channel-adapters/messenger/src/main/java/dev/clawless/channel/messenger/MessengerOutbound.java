package dev.clawless.channel.messenger;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.OutboundMessage;

/**
 * The hub's outbound message as Send API requests ({@code POST /me/messages}), pure: the text (with up to 13 quick
 * replies) and then one request per attachment, which Meta fetches from its URL. Each is a {@code RESPONSE} inside
 * the 24-hour window, or a {@code MESSAGE_TAG} with {@code HUMAN_AGENT} when the hub sends a person's reply after it
 * ({@link ChannelExtension#HUMAN_AGENT_HINT}).
 */
final class MessengerOutbound {

    static final int MAX_QUICK_REPLIES = 13;
    private static final ObjectMapper JSON = new ObjectMapper();

    private MessengerOutbound() {
    }

    static List<ObjectNode> requests(OutboundMessage message) {
        List<ObjectNode> out = new ArrayList<>();
        if (!message.text().isBlank()) {
            ObjectNode request = envelope(message);
            ObjectNode m = request.putObject("message").put("text", message.text());
            if (!message.quickReplies().isEmpty()) {
                ArrayNode quick = m.putArray("quick_replies");
                message.quickReplies().stream().limit(MAX_QUICK_REPLIES).forEach(q -> quick.addObject()
                        .put("content_type", "text").put("title", q.title().length() > 20
                                ? q.title().substring(0, 20) : q.title()).put("payload", q.payload()));
            }
            out.add(request);
        }
        for (Attachment a : message.attachments()) {
            if (a.url().filter(u -> u.startsWith("https://") || u.startsWith("http://")).isEmpty()) {
                continue; // a location or an id only: nothing Meta could fetch
            }
            ObjectNode request = envelope(message);
            request.putObject("message").putObject("attachment").put("type", switch (a.kind()) {
                case IMAGE, STICKER -> "image";
                case VIDEO -> "video";
                case AUDIO -> "audio";
                default -> "file";
            }).putObject("payload").put("url", a.url().get()).put("is_reusable", false);
            out.add(request);
        }
        return out;
    }

    /** A sender action ({@code typing_on}, {@code mark_seen}) to the thread. */
    static ObjectNode senderAction(String threadKey, String action) {
        ObjectNode request = JSON.createObjectNode();
        request.putObject("recipient").put("id", threadKey);
        request.put("sender_action", action);
        return request;
    }

    private static ObjectNode envelope(OutboundMessage message) {
        ObjectNode request = JSON.createObjectNode();
        request.putObject("recipient").put("id", message.externalThreadKey());
        if ("true".equals(message.metadata().get(ChannelExtension.HUMAN_AGENT_HINT))) {
            request.put("messaging_type", "MESSAGE_TAG");
            request.put("tag", "HUMAN_AGENT");
        } else {
            request.put("messaging_type", "RESPONSE");
        }
        return request;
    }
}
