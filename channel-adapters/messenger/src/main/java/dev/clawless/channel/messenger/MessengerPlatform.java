package dev.clawless.channel.messenger;

/**
 * How Messenger and Instagram Direct differ on Meta's Messenger Platform; everything else (webhook shape, Send API,
 * window, tags, sender actions) they share.
 *
 * @param type          the channel type
 * @param object        the webhook's {@code object}
 * @param accountField  the config field naming the account
 * @param accountHelp   what that field is, for the schema
 * @param maxText       the longest text of one message
 */
record MessengerPlatform(String type, String object, String accountField, String accountHelp, int maxText) {

    static final MessengerPlatform MESSENGER = new MessengerPlatform("messenger", "page", "page_id",
            "the Facebook Page's id", 2000);
    static final MessengerPlatform INSTAGRAM = new MessengerPlatform("instagram", "instagram",
            "instagram_account_id", "the Instagram professional account's id", 1000);

    /** The prefix of this platform's metadata keys ({@code messenger.}, {@code instagram.}). */
    String prefix() {
        return type + ".";
    }
}
