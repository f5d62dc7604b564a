package dev.clawless.channel.messenger;

/**
 * Instagram Direct: an Instagram professional account's messages, through Meta's Messenger Platform, including
 * replies to its stories and mentions in others' stories ({@code instagram.story} metadata). The thread key is the
 * contact's Instagram-scoped id (IGSID); see {@link MetaMessagingChannel} for what it shares with Messenger.
 *
 * <p>It has no {@code Instagram*} parts of its own: Instagram Direct runs on the Messenger Platform with the same
 * webhook shape and Send API, so {@link MessengerInbound}, {@link MessengerOutbound} and {@link MessengerConfig} serve
 * both, told apart by {@link MessengerPlatform}.
 */
public final class InstagramChannel extends MetaMessagingChannel {

    public static final String TYPE = "instagram";

    public InstagramChannel() {
        super(MessengerPlatform.INSTAGRAM);
    }
}
