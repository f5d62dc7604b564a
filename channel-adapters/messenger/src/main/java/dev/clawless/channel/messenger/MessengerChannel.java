package dev.clawless.channel.messenger;

/**
 * Facebook Messenger: a Facebook Page's conversations, through Meta's Messenger Platform. The thread key is the
 * contact's page-scoped id (PSID); see {@link MetaMessagingChannel} for what it shares with Instagram.
 */
public final class MessengerChannel extends MetaMessagingChannel {

    public static final String TYPE = "messenger";

    public MessengerChannel() {
        super(MessengerPlatform.MESSENGER);
    }
}
