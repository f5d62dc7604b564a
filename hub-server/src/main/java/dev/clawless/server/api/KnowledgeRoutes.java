package dev.clawless.server.api;

import java.util.ArrayList;
import java.util.List;
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
import dev.clawless.core.knowledge.DocumentFormat;
import dev.clawless.core.knowledge.FaqEntry;
import dev.clawless.core.knowledge.KnowledgeDocument;
import dev.clawless.core.knowledge.KnowledgeHit;
import dev.clawless.core.knowledge.KnowledgeManagement;
import dev.clawless.core.knowledge.NewDocument;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.Routes;

/** {@code /v1/knowledge/*}: a tenant's documents (scope {@code knowledge:admin}) and search (also {@code chat}). */
public final class KnowledgeRoutes {

    private static final int MAX_CONTENT_CHARS = 64 << 20;

    private final KnowledgeManagement knowledge;
    private final Bodies bodies;

    public KnowledgeRoutes(KnowledgeManagement knowledge, Bodies bodies) {
        this.knowledge = knowledge;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.post("/v1/knowledge/documents", this::add)
                .get("/v1/knowledge/documents", this::list)
                .get("/v1/knowledge/documents/{id}", this::get)
                .get("/v1/knowledge/documents/{id}/chunks", this::chunks)
                .delete("/v1/knowledge/documents/{id}", this::delete)
                .post("/v1/knowledge/search", this::search);
    }

    private void add(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("title", "format", "content"));
        String title = in.requiredString("title", 300);
        Optional<DocumentFormat> format = in.choice("format", List.of("markdown", "text", "faq"),
                DocumentFormat::fromWire);
        if (!in.has("format")) {
            in.error("format", "is required: markdown, text or faq");
        }
        NewDocument doc = null;
        if (format.orElse(null) == DocumentFormat.FAQ) {
            doc = NewDocument.faq(title, faq(in));
        } else if (format.isPresent()) {
            doc = NewDocument.text(title, format.get(), in.requiredString("content", MAX_CONTENT_CHARS));
        }
        in.done();
        KnowledgeDocument stored = knowledge.add(p.tenantId(), doc);
        res.header(HeaderNames.LOCATION, "/v1/knowledge/documents/" + stored.id());
        Json.send(res, Status.CREATED_201, document(stored));
    }

    private static List<FaqEntry> faq(JsonInput in) {
        Optional<JsonNode> content = in.node("content");
        if (content.isEmpty() || !content.get().isArray()) {
            in.error("content", "must be an array of {\"q\": …, \"a\": …} for format faq");
            return List.of();
        }
        List<FaqEntry> entries = new ArrayList<>();
        for (int i = 0; i < content.get().size(); i++) {
            JsonNode e = content.get().get(i);
            if (!e.isObject() || !e.path("q").isTextual() || !e.path("a").isTextual() || e.size() != 2) {
                in.error("content[" + i + "]", "must be {\"q\": string, \"a\": string}");
            } else {
                entries.add(new FaqEntry(e.get("q").textValue(), e.get("a").textValue()));
            }
        }
        return entries;
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        Json.send(res, Status.OK_200, Views.page(knowledge.list(p.tenantId(), Inputs.page(req)),
                KnowledgeRoutes::document));
    }

    private void get(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        String id = documentId(req);
        ObjectNode body = document(knowledge.get(p.tenantId(), id));
        String content = knowledge.content(p.tenantId(), id);
        if (body.get("format").asText().equals("faq")) {
            try {
                body.set("content", Json.MAPPER.readTree(content));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("stored FAQ content is not JSON", e);
            }
        } else {
            body.put("content", content);
        }
        Json.send(res, Status.OK_200, body);
    }

    private void chunks(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        knowledge.chunks(p.tenantId(), documentId(req)).forEach(c -> data.addObject().put("id", c.id())
                .put("ordinal", c.ordinal()).put("text", c.text()).put("answer", c.answer().orElse(null)));
        body.putNull("next_cursor");
        Json.send(res, Status.OK_200, body);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        knowledge.delete(p.tenantId(), documentId(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void search(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.tenant(req);
        if (!p.has(Scope.KNOWLEDGE_ADMIN) && !p.has(Scope.CHAT)) {
            throw new ClawlessException.Forbidden("insufficient-scope",
                    "this route needs an API key with the 'knowledge:admin' or 'chat' scope");
        }
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("query", "k"));
        String query = in.requiredString("query", KnowledgeManagement.MAX_QUERY_CHARS);
        long k = in.integer("k", 1, KnowledgeManagement.MAX_K).orElse(5L);
        in.done();
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        for (KnowledgeHit hit : knowledge.search(p.tenantId(), query, (int) k)) {
            ObjectNode h = data.addObject();
            h.put("document_id", hit.documentId());
            h.put("document_title", hit.documentTitle());
            h.put("chunk_id", hit.chunkId());
            h.put("text", hit.text());
            h.put("answer", hit.answer().orElse(null));
            h.put("score", Math.round(hit.score() * 10_000) / 10_000.0);
        }
        Json.send(res, Status.OK_200, body);
    }

    private static ObjectNode document(KnowledgeDocument d) {
        ObjectNode node = Json.object();
        node.put("id", d.id());
        node.put("title", d.title());
        node.put("format", d.format().wire());
        node.put("size_bytes", d.sizeBytes());
        node.put("chunk_count", d.chunkCount());
        node.put("created_at", Json.time(d.createdAt()));
        return node;
    }

    private static String documentId(ServerRequest req) {
        return Inputs.pathId(req, "doc", "document");
    }
}
