package dev.clawless.server;

import java.util.List;

import dev.clawless.channel.email.EmailChannel;
import dev.clawless.channel.github.GitHubChannel;
import dev.clawless.channel.messenger.InstagramChannel;
import dev.clawless.channel.messenger.MessengerChannel;
import dev.clawless.channel.sms.SmsChannel;
import dev.clawless.channel.telegram.TelegramChannel;
import dev.clawless.channel.webchat.WebChatChannel;
import dev.clawless.channel.whatsapp.WhatsAppChannel;
import dev.clawless.plugin.api.ChannelExtension;

/** The channel adapters built into the hub (the modules under {@code channel-adapters/}). */
final class BuiltInChannels {

    private BuiltInChannels() {
    }

    static List<ChannelExtension> all() {
        return List.of(new TelegramChannel(), new WhatsAppChannel(), new GitHubChannel(), new WebChatChannel(),
                new EmailChannel(),
                new MessengerChannel(), new InstagramChannel(), new SmsChannel());
    }
}
