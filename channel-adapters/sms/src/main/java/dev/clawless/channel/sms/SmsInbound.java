package dev.clawless.channel.sms;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.clawless.channel.twilio.TwilioWebhooks;
import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

/**
 * A Twilio SMS webhook form turned into the hub's events, pure: a message ({@code Body}, MMS media) keyed by
 * {@code MessageSid}, or a status callback. An opt-out or opt-in keyword — Twilio's {@code OptOutType} when Advanced
 * Opt-Out is on, else the message being exactly one of the standard keywords (STOP, STOPALL, UNSUBSCRIBE, CANCEL,
 * END, QUIT; START, YES, UNSTOP) — is marked {@link ChannelExtension#OPT_OUT} so the hub stops (or resumes) sending.
 */
final class SmsInbound {

    static final Set<String> STOP = Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT",
            "REVOKE");
    static final Set<String> START = Set.of("START", "YES", "UNSTOP");

    private SmsInbound() {
    }

    static List<InboundEvent> parse(Map<String, String> p, ChannelConnection c) {
        String sid = TwilioWebhooks.messageSid(p);
        if (TwilioWebhooks.isStatusCallback(p)) {
            return TwilioWebhooks.status(sid, p, c).<List<InboundEvent>>map(List::of).orElse(List.of());
        }
        String from = p.get("From");
        if (from == null || !from.matches("\\+[1-9][0-9]{6,14}")) {
            throw new ChannelException.Malformed("From must be a phone number in E.164 form", null);
        }
        if (from.equals(c.config("from").orElse(""))) {
            return List.of(); // our own number: nothing to answer
        }
        String body = p.getOrDefault("Body", "");
        if (body.length() > 1600) {
            throw new ChannelException.Malformed("Body is longer than an SMS can be (1600 characters)", null);
        }
        List<Attachment> attachments = TwilioWebhooks.media(p);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("contact.verified", "phone:" + from);
        Optional.ofNullable(p.get("FromCountry")).filter(v -> v.matches("[A-Z]{2}"))
                .ifPresent(v -> meta.put("sms.from_country", v));
        keyword(p, body).ifPresent(k -> meta.put(ChannelExtension.OPT_OUT, k));
        if (body.isEmpty() && attachments.isEmpty()) {
            return List.of();
        }
        return List.of(new InboundMessage(SmsChannel.TYPE, c.id(), sid, from, Participant.of(from), body,
                attachments, Instant.now(), ChatType.DIRECT, Optional.empty(), false, meta));
    }

    /** {@code stop} or {@code start} when the message opts the contact out or back in. */
    static Optional<String> keyword(Map<String, String> p, String body) {
        String type = p.getOrDefault("OptOutType", "").toUpperCase(Locale.ROOT);
        if (type.equals("STOP")) {
            return Optional.of("stop");
        }
        if (type.equals("START")) {
            return Optional.of("start");
        }
        String word = body.strip().replaceAll("[.!]+$", "").toUpperCase(Locale.ROOT);
        return STOP.contains(word) ? Optional.of("stop") : START.contains(word) ? Optional.of("start")
                : Optional.empty();
    }
}
