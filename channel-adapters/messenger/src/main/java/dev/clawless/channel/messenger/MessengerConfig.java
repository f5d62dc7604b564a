package dev.clawless.channel.messenger;

import dev.clawless.channel.metagraph.MetaWebhooks;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;

/**
 * What a Messenger or Instagram connection is: the account it speaks for (a Facebook Page id, an Instagram
 * professional account id), whose events it takes from Meta's webhook, and the token it sends with.
 *
 * @param platform  Messenger or Instagram
 * @param accountId the page or Instagram account id; events of other accounts of the same app are skipped
 * @param token     the page (or Instagram) access token
 */
record MessengerConfig(MessengerPlatform platform, String accountId, String token) {

    @Override
    public String toString() {
        return "MessengerConfig[platform=" + platform.type() + ", accountId=" + accountId + ", token=(hidden)]";
    }

    static MessengerConfig of(MessengerPlatform platform, ChannelConnection c) {
        String account = c.config(platform.accountField()).filter(a -> a.matches("[0-9]{5,30}"))
                .orElseThrow(() -> new ChannelException.Malformed(platform.type() + " needs config."
                        + platform.accountField(), null));
        return new MessengerConfig(platform, account, MetaWebhooks.need(c, "page_access_token", platform.type()));
    }

    /** Checks everything a connection needs before it is stored. */
    static void check(MessengerPlatform platform, ChannelConnection c) {
        of(platform, c);
        MetaWebhooks.need(c, "app_secret", platform.type());
        MetaWebhooks.need(c, "verify_token", platform.type());
    }

    /** The connection's JSON schema: the account id field differs, the rest is shared. */
    static String schema(MessengerPlatform platform) {
        return """
                {"type": "object", "additionalProperties": false, "required": ["%s"],
                 "properties": {
                   "%s": {"type": "string", "pattern": "^[0-9]{5,30}$", "description": "%s"},
                   "graph_version": {"type": "string", "pattern": "^v[0-9]{1,3}\\\\.[0-9]$",
                                     "description": "Graph API version, default v21.0"},
                   "api_base_url": {"type": "string", "format": "uri", "maxLength": 500,
                                    "description": "default https://graph.facebook.com"}
                 }}""".formatted(platform.accountField(), platform.accountField(), platform.accountHelp());
    }
}
