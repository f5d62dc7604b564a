package dev.clawless.server.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.LangChainProvider;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.Routes;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{model}} (scope {@code chat}) in OpenAI's shape, so
 * {@code client.models.list()} works: {@code default} (the tenant's assistant as set), {@code retrieval} (the
 * embedded assistant), the embedding model of {@code /v1/embeddings}, and each configured LLM provider's default
 * model as {@code provider/model}, then the tenant's model aliases ({@code settings.assistant.model_aliases}) whose
 * provider this hub serves. Any other
 * {@code provider/model} of a configured provider, and bare names such as {@code gpt-4o-mini}, are accepted by
 * {@code /v1/chat/completions} too (docs/api.md).
 */
public final class ModelRoutes {

    private final Set<String> configured;
    private final List<LangChainProvider.Settings> llms;
    private final long created;

    public ModelRoutes(Set<String> configured, List<LangChainProvider.Settings> llms, Instant started) {
        this.configured = Set.copyOf(configured);
        this.llms = List.copyOf(llms);
        this.created = started.getEpochSecond();
    }

    public void register(Routes routes) {
        routes.get("/v1/models", this::list)
                .get("/v1/models/{model}", this::one);
    }

    /** What the tenant may name: the hub's models, then the tenant's aliases whose provider this hub serves. */
    private Map<String, String> models(TenantPrincipal p) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("default", "clawless");
        out.put("retrieval", "clawless");
        out.put(EmbeddingRoutes.MODEL, "clawless");
        for (LangChainProvider.Settings s : llms) {
            if (configured.contains(s.name())) {
                out.put(s.name() + "/" + s.defaultModel(), s.name());
            }
        }
        new java.util.TreeMap<>(p.tenant().settings().assistant().aliases()).forEach((alias, target) -> {
            String provider = target.contains("/") ? target.substring(0, target.indexOf('/')) : target;
            if (provider.equals("retrieval") || configured.contains(provider)) {
                out.putIfAbsent(alias, provider);
            }
        });
        return out;
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHAT);
        ObjectNode body = Json.object().put("object", "list");
        ArrayNode data = body.putArray("data");
        models(p).forEach((id, owner) -> data.add(model(id, owner)));
        Json.send(res, Status.OK_200, body);
    }

    private void one(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHAT);
        String id = req.path().pathParameters().get("model");
        String owner = models(p).get(id);
        if (owner == null) {
            throw new ClawlessException.NotFound("the model '" + Inputs.printable(id) + "' does not exist");
        }
        Json.send(res, Status.OK_200, model(id, owner));
    }

    private ObjectNode model(String id, String owner) {
        return Json.object().put("id", id).put("object", "model").put("created", created).put("owned_by", owner);
    }
}
