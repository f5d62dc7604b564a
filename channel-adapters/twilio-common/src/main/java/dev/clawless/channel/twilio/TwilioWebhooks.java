package dev.clawless.channel.twilio;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import com.twilio.security.RequestValidator;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundRequest;

/**
 * Twilio's webhook rules, the same for WhatsApp and SMS: form-encoded bodies signed {@code X-Twilio-Signature}
 * (HMAC-SHA1 of the public URL and the sorted parameters under the auth token, checked with the SDK's
 * {@code RequestValidator}), and status callbacks ({@code MessageStatus}) as delivery updates.
 */
public final class TwilioWebhooks {

    private TwilioWebhooks() {
    }

    /** Checks {@code X-Twilio-Signature} against the connection's {@code auth_token}. */
    public static void verify(InboundRequest request, ChannelConnection c) {
        String signature = request.header("X-Twilio-Signature").orElseThrow(() ->
                new ChannelException.Unverified("missing X-Twilio-Signature"));
        String type = request.header("Content-Type").orElse("");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw new ChannelException.Unverified("Twilio posts application/x-www-form-urlencoded; cannot check "
                    + "a signature over anything else");
        }
        Map<String, String> params;
        try {
            params = Forms.parse(request.body());
        } catch (ChannelException.Malformed e) {
            throw new ChannelException.Unverified("the signed form cannot be read: " + e.getMessage());
        }
        String token = c.secret("auth_token").orElseThrow(() -> new ChannelException.Unverified(
                "this connection has no auth_token"));
        if (!new RequestValidator(token).validate(request.publicUrl(), params, signature)) {
            throw new ChannelException.Unverified("X-Twilio-Signature does not match (it covers "
                    + "clawless.public-base-url + /hooks/<id>; check both)");
        }
    }

    /** The {@code MessageSid} of a form, checked. */
    public static String messageSid(Map<String, String> p) {
        String sid = p.get("MessageSid");
        if (sid == null || !sid.matches("(SM|MM)[0-9a-fA-F]{32}")) {
            throw new ChannelException.Malformed("MessageSid is missing or not a Twilio message sid", null);
        }
        return sid;
    }

    /** True when the form is a status callback rather than a message. */
    public static boolean isStatusCallback(Map<String, String> p) {
        String status = p.getOrDefault("MessageStatus", p.getOrDefault("SmsStatus", ""));
        return !status.equals("received") && p.containsKey("MessageStatus");
    }

    /** A status callback as a delivery update; empty for the statuses before {@code sent}. */
    public static Optional<InboundEvent> status(String sid, Map<String, String> p, ChannelConnection c) {
        String status = p.getOrDefault("MessageStatus", "");
        DeliveryStatus s = switch (status) {
            case "sent" -> DeliveryStatus.SENT;
            case "delivered" -> DeliveryStatus.DELIVERED;
            case "read" -> DeliveryStatus.READ;
            case "failed", "undelivered" -> DeliveryStatus.FAILED;
            case "queued", "accepted", "sending", "scheduled" -> null;
            default -> throw new ChannelException.Malformed("unknown MessageStatus", null);
        };
        if (s == null) {
            return Optional.empty();
        }
        Optional<String> error = s == DeliveryStatus.FAILED
                ? Optional.of(p.getOrDefault("ErrorCode", "unknown") + ": "
                + p.getOrDefault("ErrorMessage", status)) : Optional.empty();
        return Optional.of(new DeliveryUpdate(c.id(), sid, s, Instant.now(), error));
    }

    /** The most media one Twilio message carries. */
    public static final int MAX_MEDIA = 10;

    /**
     * A message's media ({@code NumMedia}, {@code MediaUrlN}, {@code MediaContentTypeN}) as attachments: https URLs
     * only, the media sid as external id.
     */
    public static java.util.List<Attachment> media(Map<String, String> p) {
        java.util.List<Attachment> out = new java.util.ArrayList<>();
        int n;
        try {
            n = Integer.parseInt(p.getOrDefault("NumMedia", "0").strip());
        } catch (NumberFormatException e) {
            throw new ChannelException.Malformed("NumMedia is not a number", null);
        }
        if (n < 0 || n > MAX_MEDIA) {
            throw new ChannelException.Malformed("NumMedia must be 0-" + MAX_MEDIA, null);
        }
        for (int i = 0; i < n; i++) {
            String url = p.get("MediaUrl" + i);
            if (url == null || !url.startsWith("https://")) {
                throw new ChannelException.Malformed("MediaUrl" + i + " is missing or not https", null);
            }
            String type = p.getOrDefault("MediaContentType" + i, "application/octet-stream");
            Attachment.Kind kind = type.startsWith("image/") ? Attachment.Kind.IMAGE
                    : type.startsWith("audio/") ? Attachment.Kind.AUDIO
                    : type.startsWith("video/") ? Attachment.Kind.VIDEO : Attachment.Kind.FILE;
            out.add(new Attachment(kind, Optional.of(url), Optional.of(type), Optional.empty(),
                    java.util.OptionalLong.empty(), Optional.of(url.substring(url.lastIndexOf('/') + 1))));
        }
        return out;
    }

    /** A {@code Retry-After} in seconds. */
    public static Optional<Duration> seconds(String retryAfter) {
        try {
            long s = Long.parseLong(retryAfter.strip());
            return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The first line of a message, at most 300 characters. */
    public static String firstLine(String s) {
        String line = s == null ? "" : s.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) : line;
    }
}
