package dev.clawless.core.conversation;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
        // streamed field by field: a tree and its toString took a tenth of a webhook's CPU (docs/benchmarks.md)
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            switch (event) {
                case InboundMessage m -> {
                    g.writeStringField("kind", "message");
                    g.writeStringField("channel_type", m.channelType());
                    g.writeStringField("connection_id", m.connectionId());
                    g.writeStringField("external_message_id", m.externalMessageId());
                    g.writeStringField("external_thread_key", m.externalThreadKey());
                    g.writeObjectFieldStart("sender");
                    g.writeStringField("external_id", m.sender().externalId());
                    optional(g, "display_name", m.sender().displayName());
                    optional(g, "username", m.sender().username());
                    g.writeEndObject();
                    g.writeStringField("text", m.text());
                    g.writeArrayFieldStart("attachments");
                    for (Attachment a : m.attachments()) {
                        g.writeStartObject();
                        g.writeStringField("kind", a.kind().name());
                        optional(g, "url", a.url());
                        optional(g, "mime_type", a.mimeType());
                        optional(g, "file_name", a.fileName());
                        if (a.sizeBytes().isPresent()) {
                            g.writeNumberField("size_bytes", a.sizeBytes().getAsLong());
                        }
                        optional(g, "external_id", a.externalId());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeStringField("timestamp", m.timestamp().toString());
                    g.writeStringField("chat_type", m.chatType().name());
                    optional(g, "reply_to_external_id", m.replyToExternalId());
                    g.writeBooleanField("edited", m.edited());
                    g.writeObjectFieldStart("metadata");
                    for (Map.Entry<String, String> e : m.metadata().entrySet()) {
                        g.writeStringField(e.getKey(), e.getValue());
                    }
                    g.writeEndObject();
                }
                case DeliveryUpdate u -> {
                    g.writeStringField("kind", "status");
                    g.writeStringField("connection_id", u.connectionId());
                    g.writeStringField("external_message_id", u.externalMessageId());
                    g.writeStringField("status", u.status().name());
                    g.writeStringField("at", u.at().toString());
                    optional(g, "error", u.error());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void optional(JsonGenerator g, String field, Optional<String> value) throws IOException {
        if (value.isPresent()) {
            g.writeStringField(field, value.get());
        }
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
