package dev.clawless.server.api;

import java.util.LinkedHashMap;
import java.util.List;
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

import dev.clawless.core.channel.Channel;
import dev.clawless.core.channel.ChannelHealth;
import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.channel.ChannelRegistry;
import dev.clawless.core.channel.Deliveries;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ConfigSchema;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * {@code /v1/channels*} and {@code /v1/channel-types} (scope {@code channels:admin}): connect platforms, see how a
 * connection is doing, retry what gave up and send a test message. Secrets are write-only: answers list their names,
 * never their values.
 */
public final class ChannelRoutes {

    private static final int MAX_SECRETS = 20;

    private final ChannelManagement channels;
    private final ChannelHealth health;
    private final Bodies bodies;

    public ChannelRoutes(ChannelManagement channels, ChannelHealth health, Bodies bodies) {
        this.channels = channels;
        this.health = health;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.post("/v1/channels", this::create)
                .get("/v1/channels", this::list)
                .get("/v1/channel-types", this::types)
                .get("/v1/channels/{id}", this::get)
                .patch("/v1/channels/{id}", this::update)
                .delete("/v1/channels/{id}", this::delete)
                .get("/v1/channels/{id}/health", this::health)
                .post("/v1/channels/{id}/dead-letters/{job_id}/retry", this::retry)
                .post("/v1/channels/{id}/test-message", this::testMessage);
    }

    /** Every type the tenant may connect, with what its form needs: the config schema and the secrets' names. */
    private void types(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHANNELS_ADMIN);
        ChannelRegistry registry = channels.registry();
        Set<String> builtIn = registry.builtInTypes();
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        for (String type : registry.types(p.tenantId())) {
            Optional<ChannelExtension> channel = registry.find(p.tenantId(), type);
            if (channel.isEmpty()) {
                continue; // uninstalled meanwhile
            }
            ConfigSchema schema;
            try {
                schema = channel.get().configSchema();
            } catch (RuntimeException e) {
                schema = new ConfigSchema("{}", List.of(), List.of()); // a broken plugin: its form is empty
            }
            ObjectNode n = data.addObject();
            n.put("type", type);
            n.put("built_in", builtIn.contains(type));
            n.set("config_schema", schema(schema.jsonSchema()));
            ArrayNode required = n.putArray("required_secrets");
            schema.requiredSecrets().forEach(required::add);
            ArrayNode optional = n.putArray("optional_secrets");
            schema.optionalSecrets().forEach(optional::add);
        }
        Json.send(res, Status.OK_200, body);
    }

    /** A channel's JSON Schema as an object; a plugin's unreadable one as an empty schema (anything goes). */
    private static JsonNode schema(String json) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            return node != null && node.isObject() ? node : Json.object();
        } catch (java.io.IOException e) {
            return Json.object();
        }
    }

    private void health(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHANNELS_ADMIN);
        ChannelHealth.Health h = health.health(p.tenantId(), id(req));
        ObjectNode body = Json.object();
        body.put("id", h.channel().id());
        body.put("type", h.channel().type());
        body.put("enabled", h.channel().enabled());
        Json.putTime(body, "last_inbound_at", h.lastInboundAt());
        Json.putTime(body, "last_delivery_at", h.lastDeliveryAt());
        body.put("poll_error", h.pollError().orElse(null));
        body.put("open_conversations", h.openConversations());
        ArrayNode dead = body.putArray("dead_letters");
        for (ChannelHealth.DeadLetter d : h.deadLetters()) {
            ObjectNode n = dead.addObject();
            n.put("id", "job_" + d.jobId());
            n.put("kind", d.kind());
            n.put("conversation_id", d.conversationId());
            n.put("error", d.error().orElse(null));
            n.put("attempts", d.attempts());
            Json.putTime(n, "failed_at", d.failedAt());
        }
        Json.send(res, Status.OK_200, body);
    }

    private void retry(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHANNELS_ADMIN);
        String id = id(req);
        String jobId = req.path().pathParameters().get("job_id");
        if (!jobId.matches("job_[1-9][0-9]{0,17}")) {
            throw new ClawlessException.NotFound("no dead letter " + Inputs.printable(jobId));
        }
        ChannelHealth.Retried r = health.retry(RequestState.of(req).actor(), p.tenantId(), id,
                Long.parseLong(jobId.substring(4)));
        Json.send(res, Status.ACCEPTED_202, Json.object().put("id", "job_" + r.jobId())
                .put("status", r.status().name().toLowerCase(java.util.Locale.ROOT)));
    }

    /** {@code {to, text}} (or a {@code template} for a closed reply window): one message out, to check the line. */
    private void testMessage(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHANNELS_ADMIN);
        String id = id(req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("to", "text", "template"));
        String to = in.requiredString("to", 320);
        Optional<JsonInput> template = in.object("template", Set.of("id", "variables"));
        String text = template.isPresent() ? in.string("text", 4096).orElse("") : in.requiredString("text", 4096);
        Map<String, String> metadata = new LinkedHashMap<>();
        template.ifPresent(t -> {
            metadata.put(Deliveries.TEMPLATE, t.requiredString("id", 200));
            t.node("variables").filter(v -> v.isObject() && v.size() <= 50)
                    .ifPresent(v -> metadata.put(Deliveries.TEMPLATE_VARIABLES, v.toString()));
        });
        if (to.isBlank()) {
            in.error("to", "must not be blank");
        }
        if (template.isEmpty() && text.isBlank()) {
            in.error("text", "must not be blank");
        }
        in.done();
        ConversationManagement.Started sent = channels.sendTest(RequestState.of(req).actor(), p.tenantId(), id,
                to.strip(), text, metadata);
        res.header(HeaderNames.LOCATION, "/v1/conversations/" + sent.conversation().id());
        Json.send(res, Status.ACCEPTED_202, Json.object().put("conversation_id", sent.conversation().id())
                .put("message_id", sent.message().id()));
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
