package dev.clawless.server;

import java.time.Duration;
import java.time.Instant;

import dev.clawless.core.channel.ChannelManagement;

/** The line the model is given about a channel's reply window (Messenger, Instagram, WhatsApp). */
final class ChannelWindowNote {

    private ChannelWindowNote() {
    }

    static String of(ChannelManagement.ReplyWindow w, String channel, Instant now) {
        if (!w.applies() || w.closesAt().isEmpty()) {
            return "";
        }
        long hours = Math.max(0, Duration.between(now, w.closesAt().get()).toHours());
        String note = "This conversation is on " + channel + ", which lets the business write only within a reply"
                + " window after the contact's last message: it closes at " + w.closesAt().get() + " (in about "
                + hours + " h). After that you can no longer write here"
                + w.humanClosesAt().map(h -> "; a person from the team can until " + h).orElse("")
                + ". If you need something more from the contact, ask for it in this reply.";
        return note;
    }
}
