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
import dev.clawless.core.knowledge.DocumentFetcher;
import dev.clawless.core.knowledge.DocumentFormat;
import dev.clawless.core.knowledge.DocumentReader;
import dev.clawless.core.knowledge.FaqEntry;
import dev.clawless.core.knowledge.KnowledgeDocument;
import dev.clawless.core.knowledge.KnowledgeHit;
import dev.clawless.core.knowledge.KnowledgeConfig;
import dev.clawless.core.knowledge.KnowledgeManagement;
import dev.clawless.core.knowledge.NewDocument;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.MultipartForm;
import dev.clawless.server.http.Routes;

/**
 * {@code /v1/knowledge/*}: a tenant's documents (scope {@code knowledge:admin}) and search (also {@code chat}). A
 * document is sent as JSON (its text, FAQ entries, or a URL to fetch) or as a file in a {@code multipart/form-data}
 * body; both add with POST and replace in place with PUT.
 */
public final class KnowledgeRoutes {

    private static final int MAX_CONTENT_CHARS = 64 << 20;
    /** Room for a multipart body's boundaries, headers and title beside the file itself. */
    private static final long MULTIPART_OVERHEAD = 64 * 1024;
    private static final Set<String> FORM_FIELDS = new java.util.LinkedHashSet<>(List.of("file", "title"));

    private final KnowledgeManagement knowledge;
    private final Bodies bodies;
    private final Bodies uploads;
    private final DocumentReader reader;
    private final DocumentFetcher fetcher;

    public KnowledgeRoutes(KnowledgeManagement knowledge, Bodies bodies, DocumentReader reader,
                           DocumentFetcher fetcher) {
        this.knowledge = knowledge;
        this.bodies = bodies;
        this.reader = reader;
        this.fetcher = fetcher;
        this.uploads = new Bodies(reader.maxFileBytes() + MULTIPART_OVERHEAD);
    }

    /** The largest body the routes read: a file at the configured limit, in its multipart envelope. */
    public static long uploadLimit(KnowledgeConfig config) {
        return config.maxFileBytes() + MULTIPART_OVERHEAD;
    }

    public void register(Routes routes) {
        routes.post("/v1/knowledge/documents", this::add)
                .get("/v1/knowledge/documents", this::list)
                .get("/v1/knowledge/documents/{id}", this::get)
                .put("/v1/knowledge/documents/{id}", this::replace)
                .get("/v1/knowledge/documents/{id}/chunks", this::chunks)
                .delete("/v1/knowledge/documents/{id}", this::delete)
                .post("/v1/knowledge/search", this::search);
    }

    private void add(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        KnowledgeDocument stored = knowledge.add(p.tenantId(), newDocument(req));
        res.header(HeaderNames.LOCATION, "/v1/knowledge/documents/" + stored.id());
        Json.send(res, Status.CREATED_201, document(stored));
    }

    private void replace(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        String id = documentId(req);
        knowledge.get(p.tenantId(), id); // 404 before a file is read or a URL fetched
        Json.send(res, Status.OK_200, document(knowledge.replace(p.tenantId(), id, newDocument(req))));
    }

    /** The document a POST or PUT body describes, read and validated whole before anything is stored. */
    private NewDocument newDocument(ServerRequest req) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (MultipartForm.is(type)) {
            MultipartForm form = MultipartForm.parse(uploads.raw(req), type, FORM_FIELDS);
            MultipartForm.Part file = form.part("file").orElseThrow(() -> ClawlessException.Validation.of("file",
                    "is required: the document, as a file part"));
            Optional<String> title = title(form.part("title").map(MultipartForm.Part::text));
            return reader.read(new DocumentReader.File(file.bytes(), file.fileName(), file.contentType(), title,
                    file.fileName()));
        }
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("title", "format", "content", "url"));
        if (in.has("url")) {
            Optional<String> title = in.string("title", 300);
            String url = in.requiredString("url", 2048);
            if (in.has("format") || in.has("content")) {
                in.error("url", "is sent alone: the document's format and content come from the URL");
            }
            in.done();
            DocumentFetcher.Fetched fetched = fetcher.fetch(url, "url");
            return reader.read(new DocumentReader.File(fetched.bytes(), fetched.fileName(), fetched.contentType(),
                    title(title), Optional.of(fetched.url().toString())));
        }
        String title = in.requiredString("title", 300);
        Optional<DocumentFormat> format = in.choice("format", List.of("markdown", "text", "faq"),
                DocumentFormat::fromWire);
        if (!in.has("format")) {
            in.error("format", "is required: markdown, text or faq (or send a url, or a file as multipart/form-data)");
        }
        NewDocument doc = null;
        if (format.orElse(null) == DocumentFormat.FAQ) {
            doc = NewDocument.faq(title, faq(in));
        } else if (format.isPresent()) {
            doc = NewDocument.text(title, format.get(), in.requiredString("content", MAX_CONTENT_CHARS));
        }
        in.done();
        return doc;
    }

    private static Optional<String> title(Optional<String> title) {
        Optional<String> t = title.map(String::strip).filter(s -> !s.isEmpty());
        if (t.isPresent() && t.get().length() > 300) {
            throw ClawlessException.Validation.of("title", "must be 1-300 characters");
        }
        return t;
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
                .put("ordinal", c.ordinal()).put("text", c.text()).put("answer", c.answer().orElse(null))
                .put("section", c.section().orElse(null)));
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
            h.put("section", hit.section().orElse(null));
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
        node.put("media_type", d.mediaType().orElse(null));
        node.put("source", d.source().orElse(null));
        return node;
    }

    private static String documentId(ServerRequest req) {
        return Inputs.pathId(req, "doc", "document");
    }
}
