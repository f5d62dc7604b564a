package dev.clawless.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.core.workspace.WorkspaceCommands;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.Routes;

/**
 * {@code GET /v1/conversations/{id}/workspace/commands} (scope {@code conversations:read}): the commands the
 * assistant ran in the conversation's workspace, each a job of its own, with its status (queued, running,
 * finished, killed at a limit, interrupted, refused), exit code, the reason it was stopped, and the tail of its output. The
 * latest 100, oldest first; live output comes on the conversation's event stream.
 */
public final class WorkspaceRoutes {

    private final ConversationManagement conversations;
    private final WorkspaceCommands commands;

    public WorkspaceRoutes(ConversationManagement conversations, WorkspaceCommands commands) {
        this.conversations = conversations;
        this.commands = commands;
    }

    public void register(Routes routes) {
        routes.get("/v1/conversations/{id}/workspace/commands", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        String id = conversations.get(p.tenantId(), Inputs.pathId(req, "cnv", "conversation")).id();
        Json.send(res, Status.OK_200, Views.list(commands.list(p.tenantId(), id, 100), WorkspaceRoutes::view));
    }

    static ObjectNode view(WorkspaceCommands.Command c) {
        ObjectNode node = Json.object().put("id", c.id()).put("object", "workspace.command")
                .put("conversation_id", c.conversationId()).put("message_id", c.messageId())
                .put("command", c.command()).put("status", c.status());
        if (c.exitCode().isPresent()) {
            node.put("exit_code", c.exitCode().get());
        } else {
            node.putNull("exit_code");
        }
        node.put("reason", c.reason().orElse(null)).put("output", c.output())
                .put("created_at", c.createdAt().toString())
                .put("started_at", c.startedAt().map(Object::toString).orElse(null))
                .put("finished_at", c.finishedAt().map(Object::toString).orElse(null));
        return node;
    }
}
