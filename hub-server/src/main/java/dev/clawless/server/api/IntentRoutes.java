package dev.clawless.server.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.knowledge.Intent;
import dev.clawless.core.knowledge.IntentManagement;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.Routes;

/** {@code /v1/intents}: named intents from examples, optionally mapped to an assistant mode (scope knowledge:admin). */
public final class IntentRoutes {

    private final IntentManagement intents;
    private final Bodies bodies;

    public IntentRoutes(IntentManagement intents, Bodies bodies) {
        this.intents = intents;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.post("/v1/intents", this::define)
                .get("/v1/intents", this::list)
                .delete("/v1/intents/{id}", this::delete)
                .post("/v1/intents/test", this::test);
    }

    private void define(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("name", "examples", "mode"));
        String name = in.requiredString("name", 60);
        List<String> examples = in.strings("examples", IntentManagement.MAX_EXAMPLES, 1000).orElse(List.of());
        if (!in.has("examples")) {
            in.error("examples", "is required: example messages that express the intent");
        }
        Optional<String> mode = in.string("mode", 40);
        in.done();
        Json.send(res, Status.CREATED_201, view(intents.define(p.tenantId(), name, examples, mode)));
    }

    /** Which intent a message would get: the closest one, its score, and whether it reaches the threshold. */
    private void test(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("text"));
        String text = in.requiredString("text", 2000);
        in.done();
        var closest = intents.closest(p.tenantId(), text);
        ObjectNode body = Json.object();
        boolean matched = closest.isPresent() && closest.get().score() >= intents.threshold();
        if (matched) {
            body.putObject("intent").put("name", closest.get().name()).put("mode", closest.get().mode().orElse(null));
        } else {
            body.putNull("intent");
        }
        body.put("closest", closest.map(c -> c.name()).orElse(null));
        if (closest.isPresent()) {
            body.put("score", closest.get().score());
        } else {
            body.putNull("score");
        }
        body.put("threshold", intents.threshold());
        Json.send(res, Status.OK_200, body);
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        intents.list(p.tenantId()).forEach(i -> data.add(view(i)));
        body.putNull("next_cursor");
        Json.send(res, Status.OK_200, body);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        intents.delete(p.tenantId(), Inputs.pathId(req, "int", "intent"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static ObjectNode view(Intent i) {
        ObjectNode node = Json.object();
        node.put("id", i.id());
        node.put("name", i.name());
        ArrayNode examples = node.putArray("examples");
        i.examples().forEach(examples::add);
        node.put("mode", i.mode().orElse(null));
        node.put("created_at", Json.time(i.createdAt()));
        return node;
    }
}
