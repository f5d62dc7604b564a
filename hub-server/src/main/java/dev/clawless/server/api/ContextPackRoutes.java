package dev.clawless.server.api;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.pack.ContextPacks;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * {@code /v1/context-pack}: the tenant's knowledge, intents, modes, lead form and assistant settings as one file
 * (export: scope tenant:admin; import: tenant:admin and knowledge:admin).
 */
public final class ContextPackRoutes {

    private final ContextPacks packs;
    private final Bodies bodies;

    public ContextPackRoutes(ContextPacks packs, Bodies bodies) {
        this.packs = packs;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.get("/v1/context-pack", this::export)
                .post("/v1/context-pack", this::importPack);
    }

    private void export(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"context-pack.json\"");
        Json.send(res, Status.OK_200, packs.export(p.tenantId()));
    }

    private void importPack(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        Auth.require(req, Scope.KNOWLEDGE_ADMIN);
        ContextPacks.Imported done = packs.importPack(RequestState.of(req).actor(), p.tenantId(), bodies.object(req));
        ObjectNode body = Json.object().put("documents_added", done.documentsAdded())
                .put("documents_replaced", done.documentsReplaced()).put("intents", done.intents())
                .put("settings", done.settings()).put("lead_form", done.leadForm());
        ArrayNode notes = body.putArray("notes");
        done.notes().forEach(notes::add);
        Json.send(res, Status.OK_200, body);
    }
}
