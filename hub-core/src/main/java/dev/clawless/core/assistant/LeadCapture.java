package dev.clawless.core.assistant;

import java.util.Optional;

import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.tenant.Tenant;

/**
 * The sales mode's part in a turn: fills the tenant's lead form from the message and says what the turn should do
 * about it. Implemented by the sales module, wired by the server; without it (or with no lead form) turns are
 * unchanged.
 */
public interface LeadCapture {

    /**
     * What the lead form asks of one turn.
     *
     * @param answer     the whole reply, when the message was the answer to the form's question and the assistant
     *                   cannot do better than take it and ask the next one (retrieval assistant), or when the
     *                   contact accepted to continue on another channel; the model is not called
     * @param systemNote for an LLM: what the form knows and what to ask next, added to the system prompt
     * @param followUp   for the retrieval assistant: the form's next question, appended to its answer
     */
    record Step(Optional<String> answer, String systemNote, String followUp) {

        public static final Step NONE = new Step(Optional.empty(), "", "");
    }

    /**
     * Reads {@code inbound} into the conversation's lead (creating it when the conversation is in the form's mode).
     *
     * @param target the provider the turn will use: an LLM also extracts the form's fields from the conversation
     */
    Step capture(Tenant tenant, Conversation conversation, Message inbound, AssistantRuntime.Target target);

    /**
     * Links the CRM records a tool's result names ({@code crm_records}, docs/crm.md) to the conversation's contact,
     * so a CRM tool the assistant called (a contact it found or created) shows to operators like a pushed lead.
     */
    default void toolResult(String tenantId, Conversation conversation, String resultJson) {
    }

    /** No lead form anywhere. */
    LeadCapture NONE = (tenant, conversation, inbound, target) -> Step.NONE;
}
