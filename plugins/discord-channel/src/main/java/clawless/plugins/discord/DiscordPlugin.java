package clawless.plugins.discord;

import org.pf4j.Plugin;

/** Closes every gateway session this node holds when the plugin stops (the hub unloads it, or shuts down). */
public final class DiscordPlugin extends Plugin {

    @Override
    public void stop() {
        DiscordChannel.GATEWAYS.closeAll();
    }
}
