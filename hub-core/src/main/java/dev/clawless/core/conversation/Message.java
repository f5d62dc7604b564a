package dev.clawless.core.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.clawless.plugin.api.Attachment;

/**
 * A stored message.
 *
 * @param id                {@code msg_…}
 * @param seq               position in the hub's total order of messages (orders a conversation)
 * @param tenantId          owner
 * @param conversationId    its conversation
 * @param connectionId      the connection it came or goes through
 * @param externalMessageId the platform's id (inbound: always; outbound: once sent)
 * @param inbound           true when it came in from the channel
 * @param role              who wrote it
 * @param identityId        the sender's identity, for inbound messages
 * @param text              its text
 * @param attachments       its media
 * @param status            received, or the delivery status of an outbound message
 * @param error             the platform's error for a failed delivery
 * @param replyToExternalId the message it replies to, if any
 * @param edited            true once the sender edited it
 * @param metadata          channel facts (no secrets); {@code mode} when its intent selects an assistant mode
 * @param intent            the intent detected in an inbound message, if any
 * @param createdAt         when it was stored
 * @param deliveryUncertain true when a part of this outbound message may have reached the platform twice: it was
 *                          sent again after an attempt whose outcome the hub never learned (a crash, a timeout)
 */
public record Message(String id, long seq, String tenantId, String conversationId, String connectionId,
                      Optional<String> externalMessageId, boolean inbound, MessageRole role,
                      Optional<String> identityId, String text, List<Attachment> attachments, MessageStatus status,
                      Optional<String> error, Optional<String> replyToExternalId, boolean edited,
                      Map<String, String> metadata, Optional<String> intent, Instant createdAt,
                      boolean deliveryUncertain) {

    /**
     * Metadata key of an assistant reply's extended thinking (the model's reasoning before it answered): shown to
     * operators with the message, never delivered to the channel nor shown to API clients.
     */
    public static final String THINKING = "thinking";

    public Message {
        attachments = List.copyOf(attachments);
        metadata = Map.copyOf(metadata);
    }

    /** A message whose delivery is not (yet) in doubt. */
    public Message(String id, long seq, String tenantId, String conversationId, String connectionId,
                   Optional<String> externalMessageId, boolean inbound, MessageRole role, Optional<String> identityId,
                   String text, List<Attachment> attachments, MessageStatus status, Optional<String> error,
                   Optional<String> replyToExternalId, boolean edited, Map<String, String> metadata,
                   Optional<String> intent, Instant createdAt) {
        this(id, seq, tenantId, conversationId, connectionId, externalMessageId, inbound, role, identityId, text,
                attachments, status, error, replyToExternalId, edited, metadata, intent, createdAt, false);
    }
}
