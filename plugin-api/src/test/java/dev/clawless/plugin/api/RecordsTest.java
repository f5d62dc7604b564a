package dev.clawless.plugin.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordsTest {

    @Test
    void messagesCopyWhatTheyAreGivenSoCallersCannotChangeThemLater() {
        List<Attachment> attachments = new ArrayList<>();
        Map<String, String> metadata = new HashMap<>();
        InboundMessage m = new InboundMessage("telegram", "con_1", "42", "chat-7", Participant.of("u1"), "hi",
                attachments, Instant.EPOCH, ChatType.DIRECT, Optional.empty(), false, metadata);
        attachments.add(new Attachment(Attachment.Kind.IMAGE, Optional.empty(), Optional.empty(), Optional.empty(),
                java.util.OptionalLong.empty(), Optional.empty()));
        metadata.put("k", "v");
        assertTrue(m.attachments().isEmpty());
        assertTrue(m.metadata().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> m.attachments().add(null));
    }

    @Test
    void blankIdsAndNullsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Participant.of(" "));
        assertThrows(IllegalArgumentException.class, () -> InboundMessage.text("api", "con_1", "", "t",
                Participant.of("u"), "x", Instant.EPOCH));
        assertThrows(NullPointerException.class, () -> InboundMessage.text("api", "con_1", "m", "t",
                Participant.of("u"), null, Instant.EPOCH));
    }

    @Test
    void inboundRequestsKeepTheirBytesAndReadHeadersWhateverTheirCase() {
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        InboundRequest r = new InboundRequest("POST", "https://hub.example/hooks/con_1",
                Map.of("X-Telegram-Bot-Api-Secret-Token", List.of("s3cret")), Map.of("q", List.of("1")), body);
        body[0] = 'X';
        assertEquals('{', r.body()[0], "the request copied the body");
        r.body()[0] = 'Y';
        assertArrayEquals("{\"a\":1}".getBytes(StandardCharsets.UTF_8), r.body(), "callers get copies");
        assertEquals(Optional.of("s3cret"), r.header("x-telegram-bot-api-secret-token"));
        assertEquals(Optional.of("1"), r.queryParam("q"));
        assertEquals(Optional.empty(), r.header("missing"));
    }

    @Test
    void aConnectionNeverPrintsItsSecrets() {
        ChannelConnection c = new ChannelConnection("con_1", "ten_1", "telegram", Map.of("mode", "webhook"),
                Map.of("bot_token", "123:ABCsecret"), "https://hub.example/hooks/con_1");
        assertFalse(c.toString().contains("ABCsecret"), c.toString());
        assertTrue(c.toString().contains("bot_token"));
        assertEquals(Optional.of("123:ABCsecret"), c.secret("bot_token"));
    }

    @Test
    void toolNamesAreWhatModelsAccept() {
        new ToolSpec("knowledge_search", "Search the tenant's knowledge", "{\"type\":\"object\"}", false);
        for (String bad : new String[] {"Search", "1tool", "has-dash", "", "x".repeat(65)}) {
            assertThrows(IllegalArgumentException.class, () -> new ToolSpec(bad, "d", "{}", false), bad);
        }
    }

    @Test
    void theVersionIsSemantic() {
        assertTrue(PluginApi.VERSION.matches("\\d+\\.\\d+\\.\\d+"), PluginApi.VERSION);
    }
}
