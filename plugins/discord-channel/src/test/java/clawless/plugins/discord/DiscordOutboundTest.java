package clawless.plugins.discord;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.OutboundMessage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What goes out to Discord, and which gateway addresses a connection may use. */
class DiscordOutboundTest {

    @Test
    void aReplyPingsNobodyAndCarriesItsAttachmentsAsLinks() {
        OutboundMessage m = new OutboundMessage("cnv_1", "msg_1", "ch:5000000000000000001", "@everyone hola <@123>",
                List.of(new Attachment(Attachment.Kind.IMAGE, Optional.of("https://cdn.example/a.png"), Optional.empty(),
                        Optional.empty(), OptionalLong.empty(), Optional.empty()),
                        new Attachment(Attachment.Kind.FILE, Optional.of("javascript:alert(1)"), Optional.empty(),
                                Optional.empty(), OptionalLong.empty(), Optional.empty())),
                List.of(), Optional.of("6000000000000000004"), Map.of(), List.of());
        var body = DiscordOutbound.body(m);
        assertEquals("@everyone hola <@123>\nhttps://cdn.example/a.png", body.get("content").asText());
        assertEquals(0, body.at("/allowed_mentions/parse").size());
        assertEquals("6000000000000000004", body.at("/message_reference/message_id").asText());
    }

    @Test
    void linksThatWouldPassTwoThousandCharactersGoInAMessageOfTheirOwn() {
        OutboundMessage m = new OutboundMessage("cnv_1", "msg_1", "dm:42", "x".repeat(1990),
                List.of(new Attachment(Attachment.Kind.FILE, Optional.of("https://cdn.example/quote.pdf"),
                        Optional.empty(), Optional.empty(), OptionalLong.empty(), Optional.empty())),
                List.of(), Optional.empty(), Map.of(), List.of());
        var bodies = DiscordOutbound.bodies(m);
        assertEquals(2, bodies.size());
        assertEquals(1990, bodies.get(0).get("content").asText().length());
        assertEquals("https://cdn.example/quote.pdf", bodies.get(1).get("content").asText());
        bodies.forEach(b -> assertEquals(0, b.at("/allowed_mentions/parse").size()));
    }

    @Test
    void threadKeysNameAChannel() {
        assertEquals("42", DiscordOutbound.channel("dm:42"));
        assertEquals("5000000000000000001", DiscordOutbound.channel("ch:5000000000000000001"));
        for (String bad : List.of("42", "ch:", "ch:../users/@me", "dm:1/messages")) {
            assertThrows(ChannelException.SendFailed.class, () -> DiscordOutbound.channel(bad), bad);
        }
    }

    @Test
    void onlyDiscordsGatewayOrOneOnTheApisOwnHost() {
        DiscordConfig discord = new DiscordConfig("t", DiscordConfig.DEFAULT_API, false);
        assertTrue(discord.gatewayAllowed("wss://gateway.discord.gg"));
        assertTrue(discord.gatewayAllowed("wss://gateway-us-east1-b.discord.gg/"));
        assertFalse(discord.gatewayAllowed("ws://gateway.discord.gg"));
        assertFalse(discord.gatewayAllowed("wss://169.254.169.254/"));
        assertFalse(discord.gatewayAllowed("wss://evil.example/discord.gg"));
        DiscordConfig local = new DiscordConfig("t", "http://127.0.0.1:8089/api/v10/", false);
        assertTrue(local.gatewayAllowed("ws://127.0.0.1:9000/"));
        assertFalse(local.gatewayAllowed("ws://10.0.0.1:9000/"));
        DiscordConfig tls = new DiscordConfig("t", "https://discord.proxy.example/api/v10/", false);
        assertFalse(tls.gatewayAllowed("ws://discord.proxy.example/"), "no plain ws beside an https API");
        assertTrue(tls.gatewayAllowed("wss://discord.proxy.example/"));
        assertFalse(local.toString().contains("t,"), local.toString());
    }
}
