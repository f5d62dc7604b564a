package dev.clawless.plugin.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A message that arrived on a channel, normalised. The hub stores it once per
 * ({@code connectionId}, {@code externalMessageId}): a platform delivering the same message twice yields one stored
 * message. An edit carries the edited message's id and {@code edited = true}.
 *
 * @param channelType       the channel type ({@code telegram}, {@code whatsapp}, {@code api}, a plugin's type)
 * @param connectionId      the connection it arrived on
 * @param externalMessageId the platform's id of the message, unique within the connection
 * @param externalThreadKey what groups messages into one conversation on this connection (chat id, phone number,
 *                          e-mail thread root, issue number)
 * @param sender            who sent it
 * @param text              its text, possibly empty when it only carries attachments
 * @param attachments       media it carries
 * @param timestamp         when the platform says it was sent
 * @param chatType          direct or group conversation
 * @param replyToExternalId the message it replies to or quotes, if any
 * @param edited            true when this is an edit of an earlier message with the same external id
 * @param metadata          platform facts worth keeping (no secrets), e.g. {@code telegram.update_id}
 */
public record InboundMessage(String channelType, String connectionId, String externalMessageId,
                             String externalThreadKey, Participant sender, String text, List<Attachment> attachments,
                             Instant timestamp, ChatType chatType, Optional<String> replyToExternalId, boolean edited,
                             Map<String, String> metadata) implements InboundEvent {

    public InboundMessage {
        Objects.requireNonNull(channelType, "channelType");
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(externalMessageId, "externalMessageId");
        Objects.requireNonNull(externalThreadKey, "externalThreadKey");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(chatType, "chatType");
        Objects.requireNonNull(replyToExternalId, "replyToExternalId");
        if (externalMessageId.isBlank() || externalThreadKey.isBlank()) {
            throw new IllegalArgumentException("external message id and thread key must not be blank");
        }
        attachments = List.copyOf(attachments);
        metadata = Map.copyOf(metadata);
    }

    /** A plain new text message in a direct chat. */
    public static InboundMessage text(String channelType, String connectionId, String externalMessageId,
                                      String externalThreadKey, Participant sender, String text, Instant timestamp) {
        return new InboundMessage(channelType, connectionId, externalMessageId, externalThreadKey, sender, text,
                List.of(), timestamp, ChatType.DIRECT, Optional.empty(), false, Map.of());
    }
}
