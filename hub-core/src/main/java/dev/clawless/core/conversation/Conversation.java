package dev.clawless.core.conversation;

import java.time.Instant;
import java.util.Optional;

import dev.clawless.plugin.api.ChatType;

/**
 * A conversation: all messages of one thread on one connection.
 *
 * @param id                {@code cnv_…}
 * @param tenantId          owner
 * @param channelType       the channel type
 * @param connectionId      the connection
 * @param externalThreadKey the platform's thread (chat id, phone number, …)
 * @param contactId         the contact who started it, if known
 * @param chatType          direct or group
 * @param status            bot, human or closed
 * @param title             a title, if set (API sessions)
 * @param metadata          caller-set key/values (API sessions)
 * @param summary           older messages folded into a summary, if any
 * @param summaryVersion    how many times the summary was rewritten
 * @param messageCursor     the last message (by sequence) the summary covers
 * @param lastMessageAt     when the last message arrived or was sent
 * @param createdAt         creation time
 * @param updatedAt         last change
 */
public record Conversation(String id, String tenantId, String channelType, String connectionId,
                           String externalThreadKey, Optional<String> contactId, ChatType chatType,
                           ConversationStatus status, Optional<String> title, java.util.Map<String, String> metadata,
                           Optional<String> summary, int summaryVersion, Optional<Long> messageCursor,
                           Optional<Instant> lastMessageAt, Instant createdAt, Instant updatedAt) {

    public Conversation {
        metadata = java.util.Map.copyOf(metadata);
    }
}
