package dev.clawless.core.tool.internal;

import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/**
 * {@code handoff_to_human}: hands the conversation to a human operator; the assistant stays silent afterwards. It
 * changes nothing outside the hub, so it is not mutating.
 */
public final class HandoffTool implements ToolExtension {

    /** Hands a conversation to people (the inbox: queue, auto-assignment, notifications). */
    @FunctionalInterface
    public interface Desk {
        void handOff(String tenantId, String conversationId, String reason);
    }

    private final Desk desk;

    /** A tool that only marks the conversation {@code human} (a hub without the inbox, as in tests). */
    public HandoffTool(ConversationManagement conversations) {
        this((tenantId, conversationId, reason) -> conversations.setStatus(tenantId, conversationId,
                ConversationStatus.HUMAN));
    }

    public HandoffTool(Desk desk) {
        this.desk = desk;
    }

    @Override
    public ToolSpec spec() {
        return new ToolSpec("handoff_to_human", "Hand the conversation to a human colleague when the customer asks"
                + " for a person or when you cannot help. Tell the customer someone will reply.", """
                {"type":"object","properties":{"reason":{"type":"string","description":"why, for the operator"}}}""",
                false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        if (context.conversationId().isEmpty()) {
            return ToolResult.error("there is no conversation to hand over");
        }
        String reason = "the assistant handed over";
        if (call.argumentsJson().contains("reason")) {
            try {
                reason = new com.fasterxml.jackson.databind.ObjectMapper().readTree(call.argumentsJson()).path("reason")
                        .asText(reason);
            } catch (java.io.IOException ignored) {
                // a reason is only a note for the operator
            }
        }
        desk.handOff(context.tenantId(), context.conversationId().get(), reason.length() > 500
                ? reason.substring(0, 500) : reason);
        return ToolResult.ok("{\"handed_over\":true}");
    }
}
