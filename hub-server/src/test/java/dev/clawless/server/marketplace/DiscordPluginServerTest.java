package dev.clawless.server.marketplace;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static dev.clawless.server.TestHub.await;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The discord-channel plugin end to end: installed for a tenant, a connection checks its bot token, the hub's poller
 * opens one gateway session (JDA against a local fake of Discord's gateway), direct messages and mentions become
 * conversations — not other server chatter, not bots, not a redelivery — and the replies go out through a fake of
 * Discord's REST API without pinging anyone.
 */
class DiscordPluginServerTest {

    private static final String TOKEN = "MTAwMDAw.fake.bot-token";
    private static final String USER = "3000000000000000001";
    private static final String DM = "2000000000000000001";
    static WireMockServer discord;
    static FakeDiscordGateway gateway;
    static TestHub hub;

    @BeforeAll
    static void start() {
        gateway = new FakeDiscordGateway();
        discord = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        discord.start();
        discord.stubFor(get(urlEqualTo("/api/v10/users/@me")).withHeader("Authorization", equalTo("Bot " + TOKEN))
                .willReturn(okJson("{\"id\":\"" + FakeDiscordGateway.BOT + "\",\"username\":\"clawbot\",\"global_name\":"
                        + "null,\"discriminator\":\"0\",\"avatar\":null,\"bot\":true,\"verified\":true,"
                        + "\"mfa_enabled\":false,\"flags\":0}")));
        discord.stubFor(get(urlEqualTo("/api/v10/users/@me")).withHeader("Authorization", equalTo("Bot wrong"))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"401: Unauthorized\",\"code\":0}")));
        discord.stubFor(get(urlEqualTo("/api/v10/gateway/bot")).willReturn(okJson("{\"url\":\"" + gateway.url()
                + "\",\"shards\":1,\"session_start_limit\":{\"total\":1000,\"remaining\":999,\"reset_after\":1,"
                + "\"max_concurrency\":1}}")));
        discord.stubFor(post(urlPathMatching("/api/v10/channels/[0-9]+/messages")).willReturn(okJson(
                "{\"id\":\"7{{randomValue length=18 type='NUMERIC'}}\",\"channel_id\":\"1\",\"content\":\"x\"}")));
        discord.stubFor(post(urlPathMatching("/api/v10/channels/[0-9]+/typing")).willReturn(aResponse().withStatus(204)));
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true"));
        PluginKit.publish(hub, hub.key(hub.tenant("Publisher"), "[\"plugins:admin\"]"),
                PluginKit.built("discord-channel"));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (discord != null) {
            discord.stop();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private static int replies(String channel) {
        return discord.findAll(postRequestedFor(urlEqualTo("/api/v10/channels/" + channel + "/messages"))).size();
    }

    @Test
    void directMessagesAndMentionsComeThroughTheGatewayAndRepliesGoOutThroughRest() throws Exception {
        String key = hub.key(hub.tenant("Discord A"), "[\"plugins:admin\",\"channels:admin\",\"conversations:read\"]");
        HttpResponse<String> installed = hub.call("POST", "/v1/plugins/installations", key,
                "{\"plugin_id\":\"discord-channel\",\"version\":\"1.0.0\"}");
        assertEquals(201, installed.statusCode(), installed.body());
        assertEquals("[\"discord\"]", json(installed).get("channel_types").toString());
        String base = "http://127.0.0.1:" + discord.port() + "/api/v10/";
        HttpResponse<String> refused = hub.call("POST", "/v1/channels", key, "{\"type\":\"discord\",\"config\":{"
                + "\"api_base_url\":\"" + base + "\"},\"secrets\":{\"bot_token\":\"wrong\"}}");
        assertEquals(400, refused.statusCode(), refused.body());
        HttpResponse<String> created = hub.call("POST", "/v1/channels", key, "{\"type\":\"discord\",\"name\":"
                + "\"Servidor\",\"config\":{\"api_base_url\":\"" + base + "\"},\"secrets\":{\"bot_token\":\"" + TOKEN
                + "\"}}");
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).get("id").asText();
        await("the gateway session", () -> gateway.sessions() == 1);
        assertEquals(List.of(TOKEN), gateway.tokens());

        // a direct message, delivered twice by the gateway: one message, one reply, in the DM
        gateway.message("6000000000000000001", DM, USER, "ana", "Hola, ¿hacen tiendas online?", false, List.of());
        gateway.message("6000000000000000001", DM, USER, "ana", "Hola, ¿hacen tiendas online?", false, List.of());
        await("the reply in the DM", () -> replies(DM) == 1);
        discord.verify(postRequestedFor(urlEqualTo("/api/v10/channels/" + DM + "/messages"))
                .withHeader("Authorization", equalTo("Bot " + TOKEN))
                .withRequestBody(matchingJsonPath("$.allowed_mentions.parse.length()", equalTo("0")))
                .withRequestBody(matchingJsonPath("$.message_reference.message_id", equalTo("6000000000000000001"))));

        // in the server: chatter and another bot are not for the assistant; a mention is
        gateway.message("6000000000000000002", FakeDiscordGateway.GENERAL, USER, "ana", "buenos días a todos", true,
                List.of());
        gateway.send("{\"op\":0,\"s\":90,\"t\":\"MESSAGE_CREATE\",\"d\":{\"id\":\"6000000000000000003\","
                + "\"channel_id\":\"" + FakeDiscordGateway.GENERAL + "\",\"guild_id\":\"" + FakeDiscordGateway.GUILD
                + "\",\"author\":{\"id\":\"8000000000000000001\",\"username\":\"otherbot\",\"discriminator\":"
                + "\"0\",\"avatar\":null,\"bot\":true},\"content\":\"<@" + FakeDiscordGateway.BOT + "> beep\","
                + "\"timestamp\":\"2026-12-07T10:00:00.000000+00:00\",\"edited_timestamp\":null,\"tts\":false,"
                + "\"mention_everyone\":false,\"mentions\":[{\"id\":\"" + FakeDiscordGateway.BOT + "\",\"username\":"
                + "\"clawbot\",\"discriminator\":\"0\",\"bot\":true}],\"mention_roles\":[],\"attachments\":[],"
                + "\"embeds\":[],\"pinned\":false,\"type\":0,\"flags\":0}}");
        // the bot's own reply, echoed by the gateway
        gateway.message("6000000000000000005", DM, FakeDiscordGateway.BOT, "clawbot", "eco", false, List.of());
        gateway.message("6000000000000000004", FakeDiscordGateway.GENERAL, USER, "ana", "<@" + FakeDiscordGateway.BOT
                + "> @everyone ¿cuánto cuesta una página?", true, List.of(FakeDiscordGateway.BOT));
        await("the reply in #general", () -> replies(FakeDiscordGateway.GENERAL) == 1);
        discord.verify(postRequestedFor(urlEqualTo("/api/v10/channels/" + FakeDiscordGateway.GENERAL + "/messages"))
                .withRequestBody(matchingJsonPath("$.allowed_mentions.parse.length()", equalTo("0"))));
        Thread.sleep(500);
        JsonNode conversations = json(hub.call("GET", "/v1/conversations?channel=discord", key, null)).get("data");
        assertEquals(2, conversations.size(), conversations.toString());
        int messages = 0;
        for (JsonNode c : conversations) {
            for (JsonNode m : json(hub.call("GET", "/v1/conversations/" + c.get("id").asText() + "/messages", key,
                    null)).get("data")) {
                if (m.get("role").asText().equals("user")) {
                    messages++;
                    assertTrue(m.get("text").asText().equals("Hola, ¿hacen tiendas online?")
                            || m.get("text").asText().equals("@everyone ¿cuánto cuesta una página?"), m.toString());
                }
            }
        }
        assertEquals(2, messages, "the DM once, the mention once; no chatter, no bot");
        assertEquals(1, replies(DM));

        // no webhooks: events come only through the gateway
        HttpResponse<String> hook = hub.send(hub.request("/hooks/" + id).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"t\":\"MESSAGE_CREATE\"}")));
        assertEquals(401, hook.statusCode(), hook.body());
        // one session for the connection, however many polls
        assertEquals(1, gateway.identifies());

        // deleting the connection closes the session
        assertEquals(204, hub.call("DELETE", "/v1/channels/" + id, key, null).statusCode());
        await("the session closed", () -> gateway.sessions() == 0);
    }
}
