package dev.clawless.server.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.Routes;

/**
 * {@code /v1/sessions*} (scope {@code chat}): a session is a conversation on the {@code api} channel that keeps the
 * history of {@code /v1/chat/completions} calls made with its {@code session_id}.
 */
public final class SessionRoutes {

    private static final int MAX_METADATA = 50;

    private final ConversationManagement conversations;
    private final Bodies bodies;

    public SessionRoutes(ConversationManagement conversations, Bodies bodies) {
        this.conversations = conversations;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.post("/v1/sessions", this::open)
                .get("/v1/sessions", this::list)
                .get("/v1/sessions/{id}", this::get)
                .delete("/v1/sessions/{id}", this::delete)
                .post("/v1/sessions/{id}/reset", this::reset)
                .get("/v1/sessions/{id}/messages", this::messages);
    }

    private void open(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHAT);
        JsonInput in = bodies.optionalObject(req).map(b -> JsonInput.of(b, Set.of("title", "metadata")))
                .orElse(JsonInput.empty());
        Optional<String> title = in.string("title", 200);
        Map<String, String> metadata = metadata(in);
        in.done();
        Conversation s = conversations.openSession(p.tenantId(), title, metadata);
        res.header(HeaderNames.LOCATION, "/v1/sessions/" + s.id());
        Json.send(res, Status.CREATED_201, session(s));
    }

    /** {@code metadata}: an object of at most 50 string values. */
    static Map<String, String> metadata(JsonInput in) {
        Map<String, String> out = new LinkedHashMap<>();
        Optional<JsonNode> node = in.node("metadata");
        if (node.isEmpty()) {
            return out;
        }
        if (!node.get().isObject() || node.get().size() > MAX_METADATA) {
            in.error("metadata", "must be an object of at most " + MAX_METADATA + " string values");
            return out;
        }
        node.get().properties().forEach(e -> {
            if (!e.getValue().isTextual() || e.getKey().length() > 100 || e.getValue().textValue().length() > 1000) {
                in.error("metadata." + e.getKey(), "must be a string of at most 1000 characters");
            } else {
                out.put(e.getKey(), e.getValue().textValue());
            }
        });
        return out;
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHAT);
        var page = conversations.list(p.tenantId(), Optional.of("api"), Optional.empty(), Optional.empty(),
                Inputs.page(req));
        Json.send(res, Status.OK_200, Views.page(page, SessionRoutes::session));
    }

    private void get(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHAT);
        Json.send(res, Status.OK_200, session(session(conversations, p.tenantId(), req.path().pathParameters()
                .get("id"))));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHAT);
        Conversation s = session(conversations, p.tenantId(), req.path().pathParameters().get("id"));
        conversations.delete(p.tenantId(), s.id());
        res.status(Status.NO_CONTENT_204).send();
    }

    private void reset(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHAT);
        Conversation s = session(conversations, p.tenantId(), req.path().pathParameters().get("id"));
        conversations.reset(p.tenantId(), s.id());
        res.status(Status.NO_CONTENT_204).send();
    }

    private void messages(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHAT);
        Conversation s = session(conversations, p.tenantId(), req.path().pathParameters().get("id"));
        // an API client's view: the model's thinking is for operators (GET /v1/conversations/{id}/messages)
        Json.send(res, Status.OK_200, Views.page(conversations.messages(p.tenantId(), s.id(), Inputs.page(req)),
                m -> {
                    ObjectNode node = message(m);
                    ((ObjectNode) node.get("metadata")).remove(Message.THINKING);
                    return node;
                }));
    }

    /** The tenant's session of that id; conversations of other channels are not sessions. */
    static Conversation session(ConversationManagement conversations, String tenantId, String id) {
        Conversation c = conversations.get(tenantId, Inputs.id(id, "cnv", "session"));
        if (!c.connectionId().equals(ConversationManagement.API_CONNECTION)) {
            throw new ClawlessException.NotFound("no session " + id);
        }
        return c;
    }

    static ObjectNode session(Conversation c) {
        ObjectNode node = Json.object();
        node.put("id", c.id());
        node.put("title", c.title().orElse(null));
        node.put("status", c.status().wire());
        node.set("metadata", Json.MAPPER.valueToTree(c.metadata()));
        Json.putTime(node, "last_message_at", c.lastMessageAt());
        node.put("created_at", Json.time(c.createdAt()));
        return node;
    }

    static ObjectNode message(Message m) {
        ObjectNode node = Json.object();
        node.put("id", m.id());
        node.put("role", m.role().wire());
        node.put("text", m.text());
        node.put("direction", m.inbound() ? "inbound" : "outbound");
        node.put("status", m.status().wire());
        node.put("error", m.error().orElse(null));
        node.put("external_message_id", m.externalMessageId().orElse(null));
        node.put("reply_to_external_id", m.replyToExternalId().orElse(null));
        node.put("edited", m.edited());
        node.put("delivery_uncertain", m.deliveryUncertain());
        ArrayNode attachments = node.putArray("attachments");
        m.attachments().forEach(a -> {
            ObjectNode n = attachments.addObject().put("kind", a.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .put("url", a.url().orElse(null)).put("mime_type", a.mimeType().orElse(null))
                    .put("file_name", a.fileName().orElse(null)).put("external_id", a.externalId().orElse(null));
            if (a.sizeBytes().isPresent()) {
                n.put("size_bytes", a.sizeBytes().getAsLong());
            } else {
                n.putNull("size_bytes");
            }
        });
        node.set("metadata", Json.MAPPER.valueToTree(m.metadata()));
        node.put("created_at", Json.time(m.createdAt()));
        return node;
    }
}
