package dev.clawless.channel.messenger;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.QuickReply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every fixture of both platforms through the pure mappings, and the Send API bodies they produce. */
class MessengerInboundTest {

    private static final MessengerConfig PAGE = new MessengerConfig(MessengerPlatform.MESSENGER, "108117524567325",
            "token");
    private static final MessengerConfig IG = new MessengerConfig(MessengerPlatform.INSTAGRAM, "17841405822304914",
            "token");

    private static byte[] fixture(String path) {
        try (InputStream in = MessengerInboundTest.class.getResourceAsStream("/fixtures/" + path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<InboundEvent> parse(String path, MessengerConfig config) {
        return MessengerInbound.parse(fixture(path), "con_1", config);
    }

    private static InboundMessage one(String path, MessengerConfig config) {
        List<InboundEvent> events = parse(path, config);
        assertEquals(1, events.size(), path + ": " + events);
        return (InboundMessage) events.get(0);
    }

    @Test
    void messengerMessagesPostbacksAndReceipts() {
        InboundMessage text = one("messenger/text.json", PAGE);
        assertEquals("messenger", text.channelType());
        assertEquals("6783412938478812", text.externalThreadKey());
        assertTrue(text.text().startsWith("Hola, ¿cuánto cuesta"), text.text());
        assertEquals(Instant.ofEpochMilli(1764950400001L), text.timestamp());

        assertEquals("CONTINUE_WHATSAPP", one("messenger/quick_reply.json", PAGE).metadata()
                .get("messenger.quick_reply_payload"));
        InboundMessage postback = one("messenger/postback.json", PAGE);
        assertEquals("Ver planes", postback.text());
        assertEquals("SHOW_PLANS", postback.metadata().get("messenger.postback_payload"));
        assertEquals("m_postback_1", postback.externalMessageId());
        assertEquals("postback:6783412938478812:1764950400004",
                one("messenger/postback_legacy.json", PAGE).externalMessageId());
        InboundMessage image = one("messenger/image.json", PAGE);
        assertEquals(Attachment.Kind.IMAGE, image.attachments().get(0).kind());
        assertTrue(image.attachments().get(0).url().orElseThrow().startsWith("https://scontent.xx.fbcdn.net/"));
        assertTrue(one("messenger/reply_to.json", PAGE).replyToExternalId().orElseThrow().startsWith("m_AG5"));
        assertEquals(List.of(), one("messenger/fallback.json", PAGE).attachments());

        assertEquals(List.of(), parse("messenger/echo.json", PAGE), "the page's own echo");
        assertEquals(List.of(), parse("messenger/reaction.json", PAGE));
        assertEquals("m_multi_1", one("messenger/multi_entry.json", PAGE).externalMessageId());

        DeliveryUpdate delivered = (DeliveryUpdate) parse("messenger/delivery.json", PAGE).get(0);
        assertEquals(DeliveryStatus.DELIVERED, delivered.status());
        assertEquals("m_delivered_placeholder", delivered.externalMessageId());
        DeliveryUpdate read = (DeliveryUpdate) parse("messenger/read.json", PAGE).get(0);
        assertEquals(DeliveryStatus.READ, read.status());
        assertEquals(Optional.of("6783412938478812"), read.readUpToThread());
        assertEquals(Optional.of(Instant.ofEpochMilli(4102444800000L)), read.readUpToTime());
    }

    @Test
    void instagramStoriesEchoesAndDeletions() {
        InboundMessage reply = one("instagram/story_reply.json", IG);
        assertEquals("instagram", reply.channelType());
        assertEquals("reply", reply.metadata().get("instagram.story"));
        assertEquals("17950392118654321", reply.metadata().get("instagram.story_id"));
        assertEquals("Love this design, how much?", reply.text());
        InboundMessage mention = one("instagram/story_mention.json", IG);
        assertEquals("mention", mention.metadata().get("instagram.story"));
        assertEquals("", mention.text());
        assertEquals(Attachment.Kind.IMAGE, mention.attachments().get(0).kind());
        assertEquals("SERVICE_STORE", one("instagram/quick_reply.json", IG).metadata()
                .get("instagram.quick_reply_payload"));
        assertEquals("TALK_SALES", one("instagram/postback.json", IG).metadata().get("instagram.postback_payload"));
        assertEquals(List.of(), parse("instagram/echo.json", IG));
        assertEquals(List.of(), parse("instagram/deleted.json", IG));
        DeliveryUpdate read = (DeliveryUpdate) parse("instagram/read.json", IG).get(0);
        assertEquals("ig_read_placeholder", read.externalMessageId());
        assertEquals(Optional.empty(), read.readUpToThread());
    }

    @Test
    void theOtherPlatformsPayloadsAreRefused() {
        assertThrows(ChannelException.Malformed.class, () -> parse("instagram/text.json", PAGE));
        assertThrows(ChannelException.Malformed.class, () -> parse("messenger/text.json", IG));
        assertEquals(List.of(), parse("messenger/text.json", new MessengerConfig(MessengerPlatform.MESSENGER,
                "555555555", "t")), "another page's events");
    }

    @Test
    void sendApiBodies() {
        OutboundMessage plain = new OutboundMessage("cnv_1", "msg_1", "6783412938478812", "Claro, te ayudo",
                List.of(new Attachment(Attachment.Kind.IMAGE, Optional.of("https://cdn.example.com/plan.png"),
                        Optional.empty(), Optional.empty(), java.util.OptionalLong.empty(), Optional.empty())),
                List.of(new QuickReply("Sí, por WhatsApp, por favor", "YES")), Optional.empty(), Map.of());
        var requests = MessengerOutbound.requests(plain);
        assertEquals(2, requests.size());
        assertEquals("RESPONSE", requests.get(0).path("messaging_type").asText());
        assertFalse(requests.get(0).has("tag"));
        assertEquals("Sí, por WhatsApp, po", requests.get(0).path("message").path("quick_replies").path(0)
                .path("title").asText(), "titles are cut at 20 characters");
        assertEquals("image", requests.get(1).path("message").path("attachment").path("type").asText());
        OutboundMessage human = new OutboundMessage("cnv_1", "msg_2", "6783412938478812", "Soy Ana, del equipo",
                List.of(), List.of(), Optional.empty(), Map.of(ChannelExtension.HUMAN_AGENT_HINT, "true"));
        var tagged = MessengerOutbound.requests(human).get(0);
        assertEquals("MESSAGE_TAG", tagged.path("messaging_type").asText());
        assertEquals("HUMAN_AGENT", tagged.path("tag").asText());
    }
}
