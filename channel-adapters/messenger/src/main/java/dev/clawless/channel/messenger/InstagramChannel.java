package dev.clawless.channel.messenger;

/**
 * Instagram Direct: an Instagram professional account's messages, through Meta's Messenger Platform, including
 * replies to its stories and mentions in others' stories ({@code instagram.story} metadata). The thread key is the
 * contact's Instagram-scoped id (IGSID); see {@link MetaMessagingChannel} for what it shares with Messenger.
 */
public final class InstagramChannel extends MetaMessagingChannel {

    public static final String TYPE = "instagram";

    public InstagramChannel() {
        super(MessengerPlatform.INSTAGRAM);
    }
}
