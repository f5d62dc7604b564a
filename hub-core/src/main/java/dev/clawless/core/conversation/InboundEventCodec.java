package dev.clawless.core.conversation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.security.Secrets;
import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

/**
 * The JSON form of an {@link InboundEvent} in the {@link InboundLog}, and the key that makes a platform's redelivery of
 * it the same row. Written field by field (not by reflection) so that a row written by one version of the hub reads in
 * the next.
 */
final class InboundEventCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InboundEventCodec() {
    }

    /**
     * The same for every delivery of one event: a message by its platform id (an edit also by its new text, so each
     * edit is its own event), a status by message id and status.
     */
    static String dedupeKey(InboundEvent event) {
        String canonical = switch (event) {
            case InboundMessage m -> "m\n" + m.externalMessageId() + (m.edited() ? "\ne\n" + m.text() : "");
            case DeliveryUpdate u -> "s\n" + u.externalMessageId() + "\n" + u.status().name();
        };
        return Secrets.sha256Hex(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static String encode(InboundEvent event) {
        ObjectNode o = JSON.createObjectNode();
        switch (event) {
            case InboundMessage m -> {
                o.put("kind", "message")
                        .put("channel_type", m.channelType())
                        .put("connection_id", m.connectionId())
                        .put("external_message_id", m.externalMessageId())
                        .put("external_thread_key", m.externalThreadKey());
                ObjectNode sender = o.putObject("sender").put("external_id", m.sender().externalId());
                m.sender().displayName().ifPresent(v -> sender.put("display_name", v));
                m.sender().username().ifPresent(v -> sender.put("username", v));
                o.put("text", m.text());
                ArrayNode attachments = o.putArray("attachments");
                for (Attachment a : m.attachments()) {
                    ObjectNode n = attachments.addObject().put("kind", a.kind().name());
                    a.url().ifPresent(v -> n.put("url", v));
                    a.mimeType().ifPresent(v -> n.put("mime_type", v));
                    a.fileName().ifPresent(v -> n.put("file_name", v));
                    a.sizeBytes().ifPresent(v -> n.put("size_bytes", v));
                    a.externalId().ifPresent(v -> n.put("external_id", v));
                }
                o.put("timestamp", m.timestamp().toString())
                        .put("chat_type", m.chatType().name());
                m.replyToExternalId().ifPresent(v -> o.put("reply_to_external_id", v));
                o.put("edited", m.edited());
                ObjectNode metadata = o.putObject("metadata");
                m.metadata().forEach(metadata::put);
            }
            case DeliveryUpdate u -> {
                o.put("kind", "status")
                        .put("connection_id", u.connectionId())
                        .put("external_message_id", u.externalMessageId())
                        .put("status", u.status().name())
                        .put("at", u.at().toString());
                u.error().ifPresent(v -> o.put("error", v));
            }
        }
        return o.toString();
    }

    /** @throws IllegalArgumentException a row that is not an event this hub wrote */
    static InboundEvent decode(String json) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        String kind = o.path("kind").asText();
        return switch (kind) {
            case "message" -> {
                JsonNode s = o.path("sender");
                Participant sender = new Participant(s.path("external_id").asText(), text(s, "display_name"),
                        text(s, "username"));
                List<Attachment> attachments = new ArrayList<>();
                for (JsonNode a : o.path("attachments")) {
                    attachments.add(new Attachment(Attachment.Kind.valueOf(a.path("kind").asText()), text(a, "url"),
                            text(a, "mime_type"), text(a, "file_name"),
                            a.has("size_bytes") ? OptionalLong.of(a.get("size_bytes").asLong()) : OptionalLong.empty(),
                            text(a, "external_id")));
                }
                Map<String, String> metadata = new LinkedHashMap<>();
                o.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
                yield new InboundMessage(o.path("channel_type").asText(), o.path("connection_id").asText(),
                        o.path("external_message_id").asText(), o.path("external_thread_key").asText(), sender,
                        o.path("text").asText(), attachments, Instant.parse(o.path("timestamp").asText()),
                        ChatType.valueOf(o.path("chat_type").asText()), text(o, "reply_to_external_id"),
                        o.path("edited").asBoolean(), metadata);
            }
            case "status" -> new DeliveryUpdate(o.path("connection_id").asText(), o.path("external_message_id").asText(),
                    DeliveryStatus.valueOf(o.path("status").asText()), Instant.parse(o.path("at").asText()),
                    text(o, "error"));
            default -> throw new IllegalArgumentException("unknown event kind '" + kind + "'");
        };
    }

    private static Optional<String> text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
