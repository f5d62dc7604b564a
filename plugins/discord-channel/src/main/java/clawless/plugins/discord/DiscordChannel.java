package clawless.plugins.discord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import org.pf4j.Extension;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Participant;
import dev.clawless.plugin.api.Poll;
import dev.clawless.plugin.api.SendResult;

/**
 * Discord through a bot. Events come over Discord's gateway (a WebSocket session kept by JDA): the hub polls the
 * connection like Telegram's long polling or IMAP, so one node holds the session, and a poll hands over the direct
 * messages and mentions the session received ({@link DiscordInbound}). Replies, the typing indicator and new direct
 * messages go through the REST API ({@link DiscordOutbound}). No webhook: {@code /hooks/{id}} refuses every request.
 */
@Extension
public final class DiscordChannel implements ChannelExtension {

    public static final String TYPE = "discord";

    /** This node's gateway sessions, for every connection of this plugin version (closed by {@link DiscordPlugin}). */
    static final DiscordGateways GATEWAYS = new DiscordGateways();

    private final DiscordGateways gateways = GATEWAYS;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ConfigSchema configSchema() {
        return new ConfigSchema("""
                {"type":"object","additionalProperties":false,"properties":{
                "trigger":{"type":"string","enum":["mention","all"]},
                "api_base_url":{"type":"string","format":"uri"}}}""", List.of("bot_token"), List.of());
    }

    @Override
    public int maxTextLength() {
        return 2000; // Discord's limit for a message's content
    }

    // ------------------------------------------------------------------------------------------ inbound

    @Override
    public void verify(InboundRequest request, ChannelConnection connection) {
        throw new ChannelException.Unverified("a Discord connection receives its events through Discord's gateway,"
                + " not through webhooks");
    }

    @Override
    public List<InboundEvent> parse(InboundRequest request, ChannelConnection connection) {
        return List.of();
    }

    @Override
    public boolean polls(ChannelConnection connection) {
        return true;
    }

    @Override
    public Poll poll(ChannelConnection connection, Optional<String> cursor, Duration maxWait) {
        return new Poll(gateways.poll(connection.id(), DiscordConfig.of(connection), maxWait), Optional.empty(),
                List.of());
    }

    @Override
    public void acknowledge(ChannelConnection connection, Poll poll) {
        gateways.acknowledge(connection.id(), poll.events());
    }

    // ------------------------------------------------------------------------------------------ outbound

    @Override
    public void connect(ChannelConnection connection) {
        JsonNode me = DiscordOutbound.call(DiscordConfig.of(connection), "GET", "users/@me", Optional.empty());
        if (!me.path("bot").asBoolean(false)) {
            throw new IllegalArgumentException("the token is not a bot's: Discord channels need a bot token");
        }
    }

    @Override
    public void disconnect(ChannelConnection connection) {
        gateways.close(connection.id());
    }

    @Override
    public SendResult send(OutboundMessage message, ChannelConnection connection) {
        String channel = DiscordOutbound.channel(message.externalThreadKey());
        DiscordConfig config = DiscordConfig.of(connection);
        List<String> ids = new ArrayList<>();
        // the hub cut the text at 2,000 characters; attachment links that would take it over go in a message of
        // their own
        for (var body : DiscordOutbound.bodies(message)) {
            ids.add(DiscordOutbound.call(config, "POST", "channels/" + channel + "/messages", Optional.of(body))
                    .path("id").asText(""));
        }
        return new SendResult(ids, DeliveryStatus.SENT);
    }

    @Override
    public void typing(ChannelConnection connection, String externalThreadKey) {
        DiscordOutbound.call(DiscordConfig.of(connection), "POST", "channels/"
                + DiscordOutbound.channel(externalThreadKey) + "/typing", Optional.empty());
    }

    /** A direct message to a Discord user, by id. */
    @Override
    public NewThread newThread(ChannelConnection connection, String address) {
        String user = address.strip();
        if (!user.matches("\\d{5,20}")) {
            throw new ChannelException.Malformed("a Discord address is a user id (digits)", null);
        }
        JsonNode dm = DiscordOutbound.call(DiscordConfig.of(connection), "POST", "users/@me/channels",
                Optional.of(DiscordOutbound.JSON.createObjectNode().put("recipient_id", user)));
        String channel = dm.path("id").asText("");
        if (!channel.matches("\\d{1,20}")) {
            throw new ChannelException.Malformed("Discord opened no direct message channel", null);
        }
        return new NewThread("dm:" + channel, Participant.of(user), Map.of(), Optional.empty());
    }
}
