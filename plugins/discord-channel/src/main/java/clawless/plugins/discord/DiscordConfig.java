package clawless.plugins.discord;

import java.net.URI;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;

/**
 * A Discord connection's settings.
 *
 * @param token      the bot's token (secret {@code bot_token})
 * @param apiBase    Discord's REST API, ending in {@code /} ({@code https://discord.com/api/v10/}; config
 *                   {@code api_base_url} for another address, which the hub checks like every outbound URL)
 * @param everything {@code trigger: all}: every message in the channels the bot reads, not only mentions
 */
record DiscordConfig(String token, String apiBase, boolean everything) {

    static final String DEFAULT_API = "https://discord.com/api/v10/";

    static DiscordConfig of(ChannelConnection connection) {
        String token = connection.secret("bot_token").filter(t -> !t.isBlank()).orElseThrow(() ->
                new ChannelException.SendFailed("the connection has no bot_token", 0, false,
                        java.util.Optional.empty(), java.util.Optional.empty(), null));
        String base = connection.config("api_base_url").orElse(DEFAULT_API);
        return new DiscordConfig(token, base.endsWith("/") ? base : base + "/",
                "all".equals(connection.config("trigger").orElse("mention")));
    }

    /**
     * Whether a gateway address Discord's REST API named may be used: Discord's own ({@code wss://…discord.gg}), or
     * on the same host as the API (a local fake of both), never anywhere else the API's answer points to.
     */
    boolean gatewayAllowed(String url) {
        URI gateway = URI.create(url);
        String host = gateway.getHost() == null ? "" : gateway.getHost();
        if ("wss".equals(gateway.getScheme()) && (host.equals("gateway.discord.gg") || host.endsWith(".discord.gg"))) {
            return true;
        }
        URI api = URI.create(apiBase);
        // on the API's own host: wss, or ws only beside an http API (a local fake); never ws when the API is https
        return api.getHost() != null && api.getHost().equals(host) && ("wss".equals(gateway.getScheme())
                || ("ws".equals(gateway.getScheme()) && "http".equals(api.getScheme())));
    }

    @Override
    public String toString() {
        return "DiscordConfig[apiBase=" + apiBase + ", everything=" + everything + ", token=****]";
    }
}
