package dev.clawless.core.assistant;

import dev.clawless.core.conversation.Conversation;

/**
 * What the model should know about the conversation's channel — its reply window: until when the assistant may
 * still write there. Implemented with the channel module, wired by the server (the assistant does not depend on
 * channels).
 */
@FunctionalInterface
public interface ChannelContext {

    /** A line for the system prompt, or empty. */
    String note(String tenantId, Conversation conversation);

    ChannelContext NONE = (tenantId, conversation) -> "";
}
