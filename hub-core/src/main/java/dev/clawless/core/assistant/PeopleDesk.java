package dev.clawless.core.assistant;

import java.util.Optional;

import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.Message;

/**
 * Where the assistant hands over to people, and what people asked the contact before the assistant sees an answer:
 * implemented by the inbox, wired by the server. Without it (a hub of keys only) conversations still go {@code human}
 * on hand-off, and nothing else happens.
 */
public interface PeopleDesk {

    /** Hands the conversation to a person; answers what to tell the contact. */
    String handOff(String tenantId, String conversationId, String reason);

    /** What the contact is told when the conversation goes to a person now. */
    String contactMessage(String tenantId);

    /**
     * Takes {@code inbound} as the contact's answer to a question people asked (a satisfaction rating) when it is
     * one; answers what to thank them with, else empty (the assistant answers it as usual).
     */
    Optional<String> answerToPeople(String tenantId, Conversation conversation, Message inbound);
}
