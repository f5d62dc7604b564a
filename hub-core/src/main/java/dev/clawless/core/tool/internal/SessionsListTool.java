package dev.clawless.core.tool.internal;

import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.clawless.core.common.PageRequest;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** {@code sessions_list}: the tenant's API sessions (id, title, status, last activity). Read-only. */
public final class SessionsListTool implements ToolExtension {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ConversationManagement conversations;

    public SessionsListTool(ConversationManagement conversations) {
        this.conversations = conversations;
    }

    @Override
    public ToolSpec spec() {
        return new ToolSpec("sessions_list", "List the company's API sessions (conversations with its own systems),"
                + " most recent 50, to find one to send a message to.", "{\"type\":\"object\",\"properties\":{}}", false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        ArrayNode out = JSON.createArrayNode();
        for (Conversation c : conversations.list(context.tenantId(), Optional.of("api"), Optional.empty(),
                Optional.empty(), PageRequest.first(50)).data()) {
            out.addObject().put("id", c.id()).put("title", c.title().orElse(null)).put("status", c.status().wire())
                    .put("last_message_at", c.lastMessageAt().map(Object::toString).orElse(null));
        }
        return ToolResult.ok(out.toString());
    }
}
