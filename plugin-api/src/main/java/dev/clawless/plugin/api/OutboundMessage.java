package dev.clawless.plugin.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A message the hub sends out through a channel: the assistant's reply or an operator's. A channel splits text at
 * its platform's length limit itself.
 *
 * @param conversationId    the hub's conversation id ({@code cnv_…})
 * @param messageId         the hub's message id ({@code msg_…}); channels may pass it to the platform as an
 *                          idempotency key where the platform supports one
 * @param externalThreadKey where to send it on the platform (the conversation's thread key)
 * @param text              the text; may be empty when only attachments are sent
 * @param attachments       media to send
 * @param quickReplies      suggested answers
 * @param replyToExternalId the platform message it answers, when the channel threads replies
 * @param metadata          channel-specific sending hints (e.g. a WhatsApp template), no secrets
 * @param media             the attachments' content, fetched by the hub (in the order of {@code attachments}), for
 *                          channels that upload media instead of passing a URL the platform may not reach
 */
public record OutboundMessage(String conversationId, String messageId, String externalThreadKey, String text,
                              List<Attachment> attachments, List<QuickReply> quickReplies,
                              Optional<String> replyToExternalId, Map<String, String> metadata,
                              List<ChannelExtension.Media> media) {

    /** A message without fetched media. */
    public OutboundMessage(String conversationId, String messageId, String externalThreadKey, String text,
                           List<Attachment> attachments, List<QuickReply> quickReplies,
                           Optional<String> replyToExternalId, Map<String, String> metadata) {
        this(conversationId, messageId, externalThreadKey, text, attachments, quickReplies, replyToExternalId,
                metadata, List.of());
    }

    public OutboundMessage {
        Objects.requireNonNull(conversationId, "conversationId");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(externalThreadKey, "externalThreadKey");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(replyToExternalId, "replyToExternalId");
        attachments = List.copyOf(attachments);
        quickReplies = List.copyOf(quickReplies);
        metadata = Map.copyOf(metadata);
        media = List.copyOf(media);
    }
}
