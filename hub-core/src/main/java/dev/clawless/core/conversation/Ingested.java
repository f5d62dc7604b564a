package dev.clawless.core.conversation;

import java.util.Optional;

/**
 * What ingesting an inbound message did.
 *
 * @param conversation the conversation it belongs to (created when new)
 * @param message      the stored message (the earlier one, for a duplicate)
 * @param outcome      new, duplicate or edit
 * @param turnJobId    the assistant-turn job enqueued with it, when the assistant is to answer
 */
public record Ingested(Conversation conversation, Message message, Outcome outcome, Optional<Long> turnJobId) {

    /** Whether the message was new, a repeat delivery, or an edit of an earlier message. */
    public enum Outcome {
        NEW, DUPLICATE, EDITED
    }
}
