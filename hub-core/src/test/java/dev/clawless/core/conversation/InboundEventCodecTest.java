package dev.clawless.core.conversation;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The inbound log's JSON form: what is written reads back the same, and its fields are the ones rows carry. */
class InboundEventCodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aMessageWithEverythingReadsBackTheSame() throws Exception {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("telegram.update_id", "42");
        metadata.put("quote\"and\\slash", "line\nbreak \u2028 <script>");
        InboundMessage m = new InboundMessage("telegram", "con_1", "500:7", "500", new Participant("500",
                Optional.of("Ana María"), Optional.of("@ana")), "¿Dónde está mi pedido? \uD83D\uDE9A \"quoted\"",
                List.of(new Attachment(Attachment.Kind.IMAGE, Optional.empty(), Optional.of("image/jpeg"),
                                Optional.empty(), OptionalLong.of(1234), Optional.of("file-1")),
                        new Attachment(Attachment.Kind.LOCATION, Optional.of("geo:1.5,2.5"), Optional.empty(),
                                Optional.empty(), OptionalLong.empty(), Optional.empty())),
                Instant.parse("2026-12-06T10:15:30.123456Z"), ChatType.GROUP, Optional.of("500:6"), true, metadata);
        String json = InboundEventCodec.encode(m);
        assertEquals(m, InboundEventCodec.decode(json));
        JsonNode o = JSON.readTree(json);
        assertEquals(List.of("kind", "channel_type", "connection_id", "external_message_id", "external_thread_key",
                "sender", "text", "attachments", "timestamp", "chat_type", "reply_to_external_id", "edited",
                "metadata"), fieldNames(o));
        assertEquals(List.of("kind", "url"), fieldNames(o.at("/attachments/1")), "absent values are left out");
        assertEquals(1234, o.at("/attachments/0/size_bytes").asLong());
    }

    @Test
    void aPlainMessageLeavesOutWhatItLacks() throws Exception {
        InboundMessage m = InboundMessage.text("whatsapp", "con_2", "wamid.1", "15550001", Participant.of("15550001"),
                "hi", Instant.parse("2026-12-06T10:15:30Z"));
        String json = InboundEventCodec.encode(m);
        assertEquals(m, InboundEventCodec.decode(json));
        JsonNode o = JSON.readTree(json);
        assertFalse(o.has("reply_to_external_id"));
        assertFalse(o.path("sender").has("display_name"));
        assertEquals(0, o.path("attachments").size());
    }

    @Test
    void aStatusReadsBackTheSame() {
        DeliveryUpdate u = new DeliveryUpdate("con_3", "wamid.2", DeliveryStatus.FAILED,
                Instant.parse("2026-12-06T10:15:30Z"), Optional.of("131047: re-engagement message"));
        assertEquals(u, InboundEventCodec.decode(InboundEventCodec.encode(u)));
        DeliveryUpdate read = new DeliveryUpdate("con_3", "wamid.2", DeliveryStatus.READ,
                Instant.parse("2026-12-06T10:15:31Z"), Optional.empty());
        assertEquals(read, InboundEventCodec.decode(InboundEventCodec.encode(read)));
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
