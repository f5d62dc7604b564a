package dev.clawless.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.assistant.TurnStreams;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.workspace.WorkspaceCommands;

/**
 * What people watching a conversation learn of its workspace commands: {@code workspace.command_started} and
 * {@code workspace.command_ended} as stored events of the conversation (in its event stream, the inbox and
 * webhooks subscribed to everything), and each line of output live, to the conversation's operator streams on this
 * node (not stored: the command keeps the tail of its output).
 */
final class WorkspaceEvents implements WorkspaceCommands.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ConversationManagement conversations;
    private final TurnStreams streams;

    WorkspaceEvents(ConversationManagement conversations, TurnStreams streams) {
        this.conversations = conversations;
        this.streams = streams;
    }

    @Override
    public void started(WorkspaceCommands.Command command) {
        conversations.publish(command.tenantId(), command.conversationId(), "workspace.command_started",
                summary(command).toString());
    }

    @Override
    public void output(WorkspaceCommands.Command command, String line) {
        streams.workspaceOutput(command.conversationId(), command.id(), line);
    }

    @Override
    public void ended(WorkspaceCommands.Command command) {
        conversations.publish(command.tenantId(), command.conversationId(), "workspace.command_ended",
                summary(command).toString());
    }

    private static ObjectNode summary(WorkspaceCommands.Command c) {
        ObjectNode node = JSON.createObjectNode().put("command_id", c.id()).put("conversation_id", c.conversationId())
                .put("status", c.status());
        node.put("command", c.command().length() > 500 ? c.command().substring(0, 500) + "…" : c.command());
        c.exitCode().ifPresent(code -> node.put("exit_code", code));
        c.reason().ifPresent(r -> node.put("reason", r));
        return node;
    }
}
