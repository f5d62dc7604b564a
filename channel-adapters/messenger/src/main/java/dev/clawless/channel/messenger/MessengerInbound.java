package dev.clawless.channel.messenger;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;


import static dev.clawless.channel.metagraph.GraphJson.array;
import static dev.clawless.channel.metagraph.GraphJson.text;
/**
 * A Messenger Platform webhook (Messenger's {@code object: page}, Instagram's {@code object: instagram}) turned into
 * the hub's events, pure: {@code entry[].messaging[]} with
 * <ul>
 *   <li>{@code message}: text, attachments (image, video, audio, file), a quick reply's {@code payload}, a reply to a
 *       message ({@code reply_to.mid}) and, on Instagram, a reply to a story ({@code reply_to.story}) or a mention in
 *       one (a {@code story_mention} attachment);</li>
 *   <li>{@code postback}: a button the contact pressed, its title as the text and its payload kept;</li>
 *   <li>{@code delivery} ({@code mids}) and {@code read} (Messenger's {@code watermark}, Instagram's {@code mid}) as
 *       delivery updates.</li>
 * </ul>
 * The page's own messages ({@code is_echo}, or sent by the account itself), deleted and unsupported messages,
 * reactions, referrals and other accounts' entries are skipped.
 */
final class MessengerInbound {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MessengerInbound() {
    }

    static List<InboundEvent> parse(byte[] body, String connectionId, MessengerConfig config) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new ChannelException.Malformed("not JSON: " + firstLine(e.getMessage()), e);
        }
        MessengerPlatform platform = config.platform();
        if (root == null || !root.isObject() || !platform.object().equals(root.path("object").asText())
                || !root.path("entry").isArray()) {
            throw new ChannelException.Malformed("not a Messenger Platform notification with object "
                    + platform.object(), null);
        }
        List<InboundEvent> events = new ArrayList<>();
        for (JsonNode entry : array(root, "entry")) {
            if (!entry.isObject()) {
                throw new ChannelException.Malformed("an entry must be an object", null);
            }
            String account = text(entry, "id", 40);
            if (account == null || !config.accountId().equals(account)) {
                continue; // another page or account of the same app
            }
            for (JsonNode e : array(entry, "messaging")) {
                event(e, connectionId, config).ifPresent(events::addAll);
            }
        }
        return events;
    }

    private static Optional<List<InboundEvent>> event(JsonNode e, String connectionId, MessengerConfig config) {
        if (!e.isObject()) {
            throw new ChannelException.Malformed("a messaging event must be an object", null);
        }
        String sender = id(e.path("sender"), "sender");
        id(e.path("recipient"), "recipient");
        JsonNode ts = e.path("timestamp");
        if (!ts.isIntegralNumber() || ts.asLong() < 0) {
            throw new ChannelException.Malformed("timestamp must be milliseconds since the epoch", null);
        }
        Instant at = Instant.ofEpochMilli(ts.asLong());
        if (e.has("message")) {
            return message(e.path("message"), sender, at, connectionId, config).map(List::of);
        }
        if (e.has("postback")) {
            return Optional.of(List.of(postback(e.path("postback"), sender, at, connectionId, config)));
        }
        if (e.has("delivery")) {
            JsonNode watermark = e.path("delivery").path("watermark");
            if (!watermark.isMissingNode() && !watermark.isIntegralNumber()) {
                throw new ChannelException.Malformed("delivery.watermark must be milliseconds since the epoch", null);
            }
            List<InboundEvent> out = new ArrayList<>();
            for (JsonNode mid : array(e.path("delivery"), "mids")) {
                if (!mid.isTextual() || mid.asText().isEmpty() || mid.asText().length() > 300) {
                    throw new ChannelException.Malformed("delivery.mids must be message ids", null);
                }
                out.add(new DeliveryUpdate(connectionId, mid.asText(), DeliveryStatus.DELIVERED, at,
                        Optional.empty()));
            }
            return Optional.of(out);
        }
        if (e.has("read")) {
            JsonNode read = e.path("read");
            String mid = text(read, "mid", 300);
            if (mid != null) {
                return Optional.of(List.of(new DeliveryUpdate(connectionId, mid, DeliveryStatus.READ, at,
                        Optional.empty())));
            }
            JsonNode watermark = read.path("watermark");
            if (!watermark.isIntegralNumber() || watermark.asLong() < 0) {
                throw new ChannelException.Malformed("read needs a mid or a numeric watermark", null);
            }
            return Optional.of(List.of(DeliveryUpdate.readUpTo(connectionId, sender,
                    Instant.ofEpochMilli(watermark.asLong()))));
        }
        return Optional.empty(); // reactions, referrals, opt-ins, handovers: nothing to answer
    }

    private static Optional<InboundEvent> message(JsonNode m, String sender, Instant at, String connectionId,
                                                  MessengerConfig config) {
        if (!m.isObject()) {
            throw new ChannelException.Malformed("message must be an object", null);
        }
        String mid = text(m, "mid", 300);
        if (mid == null || mid.isEmpty()) {
            throw new ChannelException.Malformed("a message needs a mid", null);
        }
        if (m.path("is_echo").asBoolean(false) || sender.equals(config.accountId())) {
            return Optional.empty(); // the page's own message (ours, or a person's in Meta's inbox)
        }
        if (m.path("is_deleted").asBoolean(false) || m.path("is_unsupported").asBoolean(false)) {
            return Optional.empty();
        }
        String prefix = config.platform().prefix();
        Map<String, String> meta = new LinkedHashMap<>();
        String body = Optional.ofNullable(text(m, "text", 20_000)).orElse("");
        JsonNode quick = m.path("quick_reply");
        if (!quick.isMissingNode()) {
            String payload = text(quick, "payload", 1000);
            if (payload == null) {
                throw new ChannelException.Malformed("quick_reply needs a payload", null);
            }
            meta.put(prefix + "quick_reply_payload", payload);
        }
        List<Attachment> attachments = new ArrayList<>();
        for (JsonNode a : array(m, "attachments")) {
            String type = text(a, "type", 40);
            if (type == null) {
                throw new ChannelException.Malformed("an attachment needs a type", null);
            }
            String url = text(a.path("payload"), "url", 4000);
            if (url != null && !url.startsWith("https://") && !url.startsWith("http://")) {
                throw new ChannelException.Malformed("an attachment's url must be http(s)", null);
            }
            Attachment.Kind kind = switch (type) {
                case "image", "story_mention" -> Attachment.Kind.IMAGE;
                case "video", "ig_reel", "reel" -> Attachment.Kind.VIDEO;
                case "audio" -> Attachment.Kind.AUDIO;
                case "file", "share" -> Attachment.Kind.FILE;
                default -> null; // fallback (a link), template, location pins: nothing to fetch
            };
            if (type.equals("story_mention")) {
                meta.put(prefix + "story", "mention");
                Optional.ofNullable(url).ifPresent(u -> meta.put(prefix + "story_url", u));
            }
            if (kind != null && url != null) {
                attachments.add(new Attachment(kind, Optional.of(url), Optional.empty(), Optional.empty(),
                        OptionalLong.empty(), Optional.empty()));
            }
        }
        Optional<String> replyTo = Optional.empty();
        JsonNode reply = m.path("reply_to");
        if (!reply.isMissingNode()) {
            if (!reply.isObject()) {
                throw new ChannelException.Malformed("reply_to must be an object", null);
            }
            replyTo = Optional.ofNullable(text(reply, "mid", 300));
            JsonNode story = reply.path("story");
            if (!story.isMissingNode()) {
                meta.put(prefix + "story", "reply");
                Optional.ofNullable(text(story, "id", 100)).ifPresent(v -> meta.put(prefix + "story_id", v));
                Optional.ofNullable(text(story, "url", 4000)).ifPresent(v -> meta.put(prefix + "story_url", v));
            }
        }
        if (body.isEmpty() && attachments.isEmpty() && !meta.containsKey(prefix + "story")) {
            return Optional.empty();
        }
        return Optional.of(new InboundMessage(config.platform().type(), connectionId, mid, sender,
                Participant.of(sender), body, attachments, at, ChatType.DIRECT, replyTo, false, meta));
    }

    private static InboundEvent postback(JsonNode p, String sender, Instant at, String connectionId,
                                         MessengerConfig config) {
        if (!p.isObject()) {
            throw new ChannelException.Malformed("postback must be an object", null);
        }
        String title = text(p, "title", 1000);
        String payload = text(p, "payload", 1000);
        if (title == null && payload == null) {
            throw new ChannelException.Malformed("a postback needs a title or a payload", null);
        }
        String mid = text(p, "mid", 300);
        Map<String, String> meta = new LinkedHashMap<>();
        Optional.ofNullable(payload).ifPresent(v -> meta.put(config.platform().prefix() + "postback_payload", v));
        // a postback has no id of its own on older API versions: the sender and the time identify the press
        String id = mid != null && !mid.isEmpty() ? mid : "postback:" + sender + ":" + at.toEpochMilli();
        return new InboundMessage(config.platform().type(), connectionId, id, sender, Participant.of(sender),
                title != null ? title : payload, List.of(), at, ChatType.DIRECT, Optional.empty(), false, meta);
    }

    private static String id(JsonNode node, String field) {
        String id = text(node, "id", 40);
        if (!node.isObject() || id == null || !id.matches("[0-9]{1,40}")) {
            throw new ChannelException.Malformed(field + ".id must be a numeric id", null);
        }
        return id;
    }


    private static String firstLine(String s) {
        String line = s == null ? "" : s.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) : line;
    }
}
