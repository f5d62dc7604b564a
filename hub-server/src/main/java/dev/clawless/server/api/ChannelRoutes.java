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

import dev.clawless.core.channel.Channel;
import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * {@code /v1/channels*} (scope {@code channels:admin}): connect platforms. Secrets are write-only: answers list their
 * names, never their values.
 */
public final class ChannelRoutes {

    private static final int MAX_SECRETS = 20;

    private final ChannelManagement channels;
    private final Bodies bodies;

    public ChannelRoutes(ChannelManagement channels, Bodies bodies) {
        this.channels = channels;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.post("/v1/channels", this::create)
                .get("/v1/channels", this::list)
                .get("/v1/channels/{id}", this::get)
                .patch("/v1/channels/{id}", this::update)
                .delete("/v1/channels/{id}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHANNELS_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("type", "name", "config", "secrets"));
        String type = in.requiredString("type", 40);
        String name = in.string("name", 200).orElse(type);
        ObjectNode config = Inputs.objectField(in, "config");
        Map<String, String> secrets = Inputs.secrets(in, MAX_SECRETS).entrySet().stream()
                .filter(e -> e.getValue().isPresent())
                .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue().get()), Map::putAll);
        in.done();
        Channel created = channels.create(RequestState.of(req).actor(), p.tenantId(), type, name, config, secrets);
        res.header(HeaderNames.LOCATION, "/v1/channels/" + created.id());
        Json.send(res, Status.CREATED_201, view(created));
    }

    /** Connections are listed to whoever works conversations too (secrets never appear), e.g. for transfers. */
    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.requireAny(req, Scope.CHANNELS_ADMIN, Scope.CONVERSATIONS_READ);
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        channels.list(p.tenantId()).forEach(c -> data.add(view(c)));
        body.putNull("next_cursor");
        ArrayNode types = body.putArray("types");
        channels.registry().types(p.tenantId()).forEach(types::add);
        Json.send(res, Status.OK_200, body);
    }

    private void get(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.requireAny(req, Scope.CHANNELS_ADMIN, Scope.CONVERSATIONS_READ);
        Json.send(res, Status.OK_200, view(channels.get(p.tenantId(), id(req))));
    }

    private void update(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHANNELS_ADMIN);
        String id = id(req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("name", "config", "secrets", "enabled"));
        Optional<String> name = in.string("name", 200);
        Optional<ObjectNode> config = in.has("config") ? Optional.of(Inputs.objectField(in, "config"))
                : Optional.empty();
        Map<String, Optional<String>> secrets = Inputs.secrets(in, MAX_SECRETS);
        Optional<Boolean> enabled = in.bool("enabled");
        in.done();
        Json.send(res, Status.OK_200, view(channels.update(RequestState.of(req).actor(), p.tenantId(), id, name,
                config, secrets, enabled)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHANNELS_ADMIN);
        channels.delete(RequestState.of(req).actor(), p.tenantId(), id(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static String id(ServerRequest req) {
        return Inputs.pathId(req, "con", "channel connection");
    }

    static ObjectNode view(Channel c) {
        ObjectNode node = Json.object();
        node.put("id", c.id());
        node.put("type", c.type());
        node.put("name", c.name());
        node.set("config", c.config());
        ArrayNode names = node.putArray("secrets");
        c.secretNames().forEach(names::add);
        node.put("enabled", c.enabled());
        node.put("webhook_url", c.webhookUrl());
        if (c.type().equals(dev.clawless.core.channel.WidgetSessions.TYPE)) {
            node.put("publishable_key", dev.clawless.core.channel.WidgetSessions.publishableKey(c.id()));
        }
        node.put("poll_error", c.pollError().orElse(null));
        node.put("created_at", Json.time(c.createdAt()));
        node.put("updated_at", Json.time(c.updatedAt()));
        return node;
    }

}
