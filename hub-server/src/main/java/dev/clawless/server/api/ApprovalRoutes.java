package dev.clawless.server.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.core.tool.Approval;
import dev.clawless.core.tool.Approvals;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * {@code /v1/approvals*}: tool calls waiting for an operator (scope {@code conversations:read} to see,
 * {@code conversations:write} to decide). Deciding resumes the paused turn.
 */
public final class ApprovalRoutes {

    private final Approvals approvals;
    private final Runnable wakeWorker;
    private final Bodies bodies;

    public ApprovalRoutes(Approvals approvals, Runnable wakeWorker, Bodies bodies) {
        this.approvals = approvals;
        this.wakeWorker = wakeWorker;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.get("/v1/approvals", this::list)
                .get("/v1/approvals/{id}", this::get)
                .post("/v1/approvals/{id}/approve", (req, res) -> decide(req, res, true))
                .post("/v1/approvals/{id}/deny", (req, res) -> decide(req, res, false));
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Optional<String> status = Inputs.query(req, "status");
        if (status.isPresent() && !List.of("pending", "approved", "denied").contains(status.get())) {
            throw ClawlessException.Validation.of("status", "must be pending, approved or denied");
        }
        Optional<String> conversation = Inputs.query(req, "conversation_id")
                .map(c -> Inputs.id(c, "cnv", "conversation"));
        Json.send(res, Status.OK_200, Views.page(approvals.list(p.tenantId(), status, conversation, Inputs.page(req)),
                ApprovalRoutes::view));
    }

    private void get(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, view(approvals.get(p.tenantId(), id(req))));
    }

    private void decide(ServerRequest req, ServerResponse res, boolean approve) {
        TenantPrincipal p = Auth.require(req, Scope.CONVERSATIONS_WRITE);
        String id = id(req);
        JsonInput in = bodies.optionalObject(req).map(b -> JsonInput.of(b, Set.of("reason")))
                .orElse(JsonInput.empty());
        Optional<String> reason = in.string("reason", 1000);
        in.done();
        Approval decided = approvals.decide(RequestState.of(req).actor(), p.tenantId(), id, approve, reason);
        wakeWorker.run();
        Json.send(res, Status.OK_200, view(decided));
    }

    private static String id(ServerRequest req) {
        return Inputs.pathId(req, "apr", "approval");
    }

    static ObjectNode view(Approval a) {
        ObjectNode node = Json.object();
        node.put("id", a.id());
        node.put("conversation_id", a.conversationId());
        node.put("message_id", a.messageId());
        node.put("tool", a.tool());
        try {
            node.set("arguments", Json.MAPPER.readTree(a.arguments()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            node.put("arguments", a.arguments());
        }
        node.put("status", a.status());
        node.put("reason", a.reason().orElse(null));
        node.put("decided_by", a.decidedBy().orElse(null));
        Json.putTime(node, "decided_at", a.decidedAt());
        node.put("created_at", Json.time(a.createdAt()));
        return node;
    }
}
