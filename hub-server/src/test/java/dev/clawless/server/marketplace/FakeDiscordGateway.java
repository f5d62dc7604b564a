package dev.clawless.server.marketplace;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

/**
 * A local stand-in for Discord's gateway (v10, JSON, no compression): HELLO on open, READY after IDENTIFY (with one
 * server, sent as GUILD_CREATE), heartbeat ACKs, and dispatches the test asks for, to every session that identified.
 */
public final class FakeDiscordGateway implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    public static final String BOT = "1000000000000000001";
    public static final String GUILD = "4000000000000000001";
    public static final String GENERAL = "5000000000000000001";

    private final WebServer server;
    private final List<WsSession> ready = new CopyOnWriteArrayList<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicInteger identifies = new AtomicInteger();
    private final List<String> tokens = new CopyOnWriteArrayList<>();

    public FakeDiscordGateway() {
        server = WebServer.builder().port(0).host("127.0.0.1").addRouting(WsRouting.builder().endpoint("/",
                new WsListener() {
                    @Override
                    public void onOpen(WsSession session) {
                        session.send("{\"op\":10,\"s\":null,\"t\":null,\"d\":{\"heartbeat_interval\":41250}}", true);
                    }

                    @Override
                    public void onMessage(WsSession session, String text, boolean last) {
                        JsonNode frame;
                        try {
                            frame = JSON.readTree(text);
                        } catch (java.io.IOException e) {
                            return;
                        }
                        int op = frame.path("op").asInt(-1);
                        if (op == 1) {
                            session.send("{\"op\":11}", true);
                        } else if (op == 2) {
                            identifies.incrementAndGet();
                            tokens.add(frame.at("/d/token").asText());
                            session.send(dispatch("READY", "{\"v\":10,\"user\":{\"id\":\"" + BOT + "\",\"username\":"
                                    + "\"clawbot\",\"global_name\":null,\"discriminator\":\"0\",\"avatar\":null,"
                                    + "\"bot\":true,\"verified\":true,\"mfa_enabled\":false},\"guilds\":[{\"id\":\""
                                    + GUILD + "\",\"unavailable\":true}],\"private_channels\":[],\"session_id\":"
                                    + "\"session-1\",\"resume_gateway_url\":\"" + url() + "\",\"application\":{\"id\":\""
                                    + BOT + "\",\"flags\":0}}"), true);
                            session.send(dispatch("GUILD_CREATE", guild()), true);
                            ready.add(session);
                        }
                    }

                    @Override
                    public void onClose(WsSession session, int status, String reason) {
                        ready.remove(session);
                    }
                })).build().start();
    }

    public String url() {
        return "ws://127.0.0.1:" + server.port() + "/";
    }

    public int sessions() {
        return ready.size();
    }

    public int identifies() {
        return identifies.get();
    }

    public List<String> tokens() {
        return tokens;
    }

    /** A user's message: a direct message when {@code guild} is false, else in the server's #general. */
    public void message(String id, String channel, String userId, String userName, String content, boolean guild,
                        List<String> mentions) {
        StringBuilder m = new StringBuilder("[");
        for (String u : mentions) {
            m.append(m.length() > 1 ? "," : "").append("{\"id\":\"").append(u).append("\",\"username\":\"u")
                    .append(u.substring(u.length() - 3)).append("\",\"discriminator\":\"0\",\"avatar\":null}");
        }
        m.append(']');
        String data = "{\"id\":\"" + id + "\",\"channel_id\":\"" + channel + "\"" + (guild ? ",\"guild_id\":\"" + GUILD
                + "\",\"member\":{\"roles\":[],\"joined_at\":\"2026-01-01T00:00:00.000000+00:00\",\"deaf\":false,"
                + "\"mute\":false,\"flags\":0}" : "") + ",\"author\":{\"id\":\"" + userId + "\",\"username\":\""
                + userName + "\",\"global_name\":\"" + userName + "\",\"discriminator\":\"0\",\"avatar\":null},"
                + "\"content\":" + JSON.valueToTree(content) + ",\"timestamp\":\"2026-12-07T10:00:00.000000+00:00\","
                + "\"edited_timestamp\":null,\"tts\":false,\"mention_everyone\":false,\"mentions\":" + m
                + ",\"mention_roles\":[],\"attachments\":[],\"embeds\":[],\"pinned\":false,\"type\":0,\"flags\":0}";
        send(dispatch("MESSAGE_CREATE", data));
    }

    /** Any dispatch, as Discord frames it. */
    public void send(String frame) {
        ready.forEach(s -> s.send(frame, true));
    }

    private String dispatch(String type, String data) {
        return "{\"op\":0,\"s\":" + sequence.incrementAndGet() + ",\"t\":\"" + type + "\",\"d\":" + data + "}";
    }

    private static String guild() {
        return "{\"id\":\"" + GUILD + "\",\"name\":\"Agencia\",\"icon\":null,\"owner_id\":\"9000000000000000001\","
                + "\"afk_timeout\":300,\"verification_level\":0,\"default_message_notifications\":0,"
                + "\"explicit_content_filter\":0,\"mfa_level\":0,\"nsfw_level\":0,\"premium_tier\":0,"
                + "\"system_channel_flags\":0,\"preferred_locale\":\"es-ES\",\"large\":false,\"unavailable\":false,"
                + "\"member_count\":2,\"features\":[],\"emojis\":[],\"stickers\":[],\"roles\":[{\"id\":\"" + GUILD
                + "\",\"name\":\"@everyone\",\"permissions\":\"68608\",\"position\":0,\"color\":0,\"hoist\":false,"
                + "\"managed\":false,\"mentionable\":false,\"flags\":0}],\"channels\":[{\"id\":\"" + GENERAL
                + "\",\"type\":0,\"name\":\"general\",\"position\":0,\"permission_overwrites\":[],\"topic\":null,"
                + "\"nsfw\":false,\"parent_id\":null,\"rate_limit_per_user\":0,\"last_message_id\":null}],"
                + "\"threads\":[],\"members\":[],\"voice_states\":[],\"presences\":[],\"stage_instances\":[],"
                + "\"guild_scheduled_events\":[],\"joined_at\":\"2026-01-01T00:00:00.000000+00:00\"}";
    }

    @Override
    public void close() {
        server.stop();
    }
}
