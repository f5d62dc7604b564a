package dev.clawless.core.tool.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.Message;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/**
 * {@code sessions_send}: posts a message into one of the tenant's API sessions. It writes where another system
 * reads, so it is mutating and waits for an operator's approval under the default policy.
 */
public final class SessionsSendTool implements ToolExtension {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ConversationManagement conversations;

    public SessionsSendTool(ConversationManagement conversations) {
        this.conversations = conversations;
    }

    @Override
    public ToolSpec spec() {
        return new ToolSpec("sessions_send", "Send a message into one of the company's API sessions (see"
                + " sessions_list).", """
                {"type":"object","properties":{"session_id":{"type":"string"},"text":{"type":"string"}},
                 "required":["session_id","text"]}""", true);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        try {
            JsonNode args = JSON.readTree(call.argumentsJson());
            String sessionId = args.path("session_id").asText("");
            String text = args.path("text").asText("");
            Conversation session = conversations.get(context.tenantId(), sessionId);
            if (!session.connectionId().equals(ConversationManagement.API_CONNECTION)) {
                return ToolResult.error("no session " + sessionId);
            }
            Message sent = conversations.operatorReply(context.tenantId(), session.id(), text);
            return ToolResult.ok(JSON.createObjectNode().put("message_id", sent.id()).toString());
        } catch (ClawlessException.NotFound e) {
            return ToolResult.error(e.detail());
        } catch (ClawlessException.Validation e) {
            return ToolResult.error(e.detail());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return ToolResult.error("arguments are not JSON");
        }
    }
}
