package dev.clawless.core.conversation;

/**
 * Payload of an {@code assistant_turn} job: answer {@code messageId} in {@code conversationId}.
 *
 * @param tenantId       the tenant
 * @param conversationId the conversation
 * @param messageId      the inbound message to answer
 */
public record TurnRequest(String tenantId, String conversationId, String messageId) {

    /** The job kind of assistant turns. */
    public static final String JOB_KIND = "assistant_turn";
}
