package dev.clawless.server.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.marketplace.Installation;
import dev.clawless.core.marketplace.Installations;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * {@code /v1/plugins/installations*} (scope {@code plugins:admin}): a tenant installs approved plugin versions,
 * enables/disables, upgrades/rolls back and uninstalls them. Granted secrets are write-only: answers list their
 * names.
 */
public final class InstallationRoutes {

    private static final int MAX_SECRETS = 20;

    private final Installations installations;
    private final Bodies bodies;

    public InstallationRoutes(Installations installations, Bodies bodies) {
        this.installations = installations;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.post("/v1/plugins/installations", this::install)
                .get("/v1/plugins/installations", this::list)
                .get("/v1/plugins/installations/{id}", this::get)
                .patch("/v1/plugins/installations/{id}", this::update)
                .delete("/v1/plugins/installations/{id}", this::uninstall);
    }

    private void install(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.PLUGINS_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("plugin_id", "version", "config", "secrets"));
        String pluginId = in.requiredString("plugin_id", 64);
        String version = in.requiredString("version", 64);
        ObjectNode config = Inputs.objectField(in, "config");
        Map<String, String> secrets = new LinkedHashMap<>();
        Inputs.secrets(in, MAX_SECRETS).forEach((k, v) -> {
            if (v.isPresent()) {
                secrets.put(k, v.get());
            } else {
                in.error("secrets." + Inputs.printable(k), "must be a string");
            }
        });
        in.done();
        Installation i = installations.install(RequestState.of(req).actor(), p.tenantId(), pluginId, version, config,
                secrets);
        res.header(HeaderNames.LOCATION, "/v1/plugins/installations/" + i.id());
        Json.send(res, Status.CREATED_201, view(i));
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.PLUGINS_ADMIN);
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        installations.list(p.tenantId()).forEach(i -> data.add(view(i)));
        body.putNull("next_cursor");
        Json.send(res, Status.OK_200, body);
    }

    /** The installation, with what uninstalling or disabling it would take away ({@code in_use}). */
    private void get(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.PLUGINS_ADMIN);
        String id = id(req);
        ObjectNode body = view(installations.get(p.tenantId(), id));
        Installations.InUse use = installations.inUse(p.tenantId(), id);
        ObjectNode inUse = body.putObject("in_use");
        inUse.put("channel_connections", use.connectionIds().size());
        ArrayNode connections = inUse.putArray("connection_ids");
        use.connectionIds().forEach(connections::add);
        ArrayNode tools = inUse.putArray("tools");
        use.tools().forEach(t -> {
            ObjectNode n = tools.addObject().put("name", t.name()).put("calls_last_30_days", t.callsLast30Days());
            Json.putTime(n, "last_called_at", t.lastCalledAt());
        });
        Json.send(res, Status.OK_200, body);
    }

    private void update(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.PLUGINS_ADMIN);
        String id = id(req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("enabled", "version", "config", "secrets"));
        Optional<String> version = in.string("version", 64);
        Optional<ObjectNode> config = in.has("config") ? Optional.of(Inputs.objectField(in, "config"))
                : Optional.empty();
        Map<String, Optional<String>> secrets = Inputs.secrets(in, MAX_SECRETS);
        Optional<Boolean> enabled = in.bool("enabled");
        in.done();
        Json.send(res, Status.OK_200, view(installations.update(RequestState.of(req).actor(), p.tenantId(), id,
                enabled, version, config, secrets)));
    }

    private void uninstall(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.PLUGINS_ADMIN);
        installations.uninstall(RequestState.of(req).actor(), p.tenantId(), id(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static String id(ServerRequest req) {
        return Inputs.pathId(req, "ins", "plugin installation");
    }

    private ObjectNode view(Installation i) {
        ObjectNode node = Json.object();
        node.put("id", i.id());
        node.put("plugin_id", i.pluginId());
        node.put("version", i.version());
        node.put("status", i.status());
        node.put("enabled", i.enabled());
        node.put("failure", i.failure().orElse(null));
        node.set("config", i.config());
        ArrayNode names = node.putArray("secrets");
        i.secretNames().forEach(names::add);
        Installations.Offer offer = installations.offer(i.id());
        ArrayNode tools = node.putArray("tools");
        offer.tools().forEach(t -> tools.addObject().put("name", t.name()).put("description", t.description())
                .put("mutating", t.mutating()));
        ArrayNode types = node.putArray("channel_types");
        offer.channelTypes().forEach(types::add);
        node.put("isolation", offer.isolation().orElse(null));
        if (offer.isolation().filter("sandboxed"::equals).isPresent()) {
            node.putObject("sandbox").put("restarts", offer.sandboxRestarts())
                    .put("egress_refusals", offer.egressRefusals());
        }
        node.put("created_at", Json.time(i.createdAt()));
        node.put("updated_at", Json.time(i.updatedAt()));
        return node;
    }
}
