package dev.clawless.core.conversation;

import java.time.Instant;

/**
 * A durable event of a conversation: {@code message.created}, {@code conversation.status_changed}, … Its id orders
 * all events and is the SSE event id a client resumes from.
 *
 * @param id             sequence number
 * @param conversationId the conversation
 * @param type           what happened
 * @param data           JSON text describing it
 * @param createdAt      when
 */
public record ConversationEvent(long id, String conversationId, String type, String data, Instant createdAt) {
}
