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

    private final ConversationManagement conversations;

    public HandoffTool(ConversationManagement conversations) {
        this.conversations = conversations;
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
        conversations.setStatus(context.tenantId(), context.conversationId().get(), ConversationStatus.HUMAN);
        return ToolResult.ok("{\"handed_over\":true}");
    }
}
