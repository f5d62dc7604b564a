package dev.clawless.server.api;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.events.Webhook;
import dev.clawless.core.events.WebhookDelivery;
import dev.clawless.core.events.Webhooks;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.Routes;

/** {@code /v1/webhooks*} (scope {@code webhooks:admin}): subscriptions, their delivery log, and resending. */
public final class WebhookRoutes {

    private final Webhooks webhooks;
    private final Bodies bodies;

    public WebhookRoutes(Webhooks webhooks, Bodies bodies) {
        this.webhooks = webhooks;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.post("/v1/webhooks", this::create)
                .get("/v1/webhooks", this::list)
                .delete("/v1/webhooks/{id}", this::delete)
                .get("/v1/webhooks/{id}/deliveries", this::deliveries)
                .post("/v1/webhooks/{id}/deliveries/{delivery_id}/resend", this::resend);
    }

    private void create(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.WEBHOOKS_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("url", "events"));
        String url = in.requiredString("url", 2000);
        List<String> events = in.strings("events", 10, 60).orElse(List.of());
        if (!in.has("events")) {
            in.error("events", "is required: one or more of " + Webhooks.EVENT_TYPES.stream().sorted().toList());
        }
        in.done();
        Webhooks.Created created = webhooks.create(p.tenantId(), url, events);
        ObjectNode body = view(created.webhook());
        body.put("secret", created.secret());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.CREATED_201, body);
    }

    private void list(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.WEBHOOKS_ADMIN);
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        webhooks.list(p.tenantId()).forEach(w -> data.add(view(w)));
        body.putNull("next_cursor");
        Json.send(res, Status.OK_200, body);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.WEBHOOKS_ADMIN);
        webhooks.delete(p.tenantId(), id(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void deliveries(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.WEBHOOKS_ADMIN);
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        for (WebhookDelivery d : webhooks.deliveries(p.tenantId(), id(req), 100)) {
            data.add(view(d));
        }
        body.putNull("next_cursor");
        Json.send(res, Status.OK_200, body);
    }

    /** Attempts a delivery again (202 with the delivery, now pending); idempotent while it is pending. */
    private void resend(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.WEBHOOKS_ADMIN);
        String id = id(req);
        String deliveryId = Inputs.id(req.path().pathParameters().get("delivery_id"), "whd", "webhook delivery");
        Json.send(res, Status.ACCEPTED_202, view(webhooks.resend(p.tenantId(), id, deliveryId)));
    }

    private static ObjectNode view(WebhookDelivery d) {
        ObjectNode n = Json.object();
        n.put("id", d.id());
        n.put("event_id", d.eventId());
        n.put("event_type", d.eventType());
        n.put("status", d.status());
        n.put("attempts", d.attempts());
        if (d.lastStatus().isPresent()) {
            n.put("last_status", d.lastStatus().get());
        } else {
            n.putNull("last_status");
        }
        n.put("last_error", d.lastError().orElse(null));
        n.put("created_at", Json.time(d.createdAt()));
        Json.putTime(n, "delivered_at", d.deliveredAt());
        return n;
    }

    private static String id(ServerRequest req) {
        return Inputs.pathId(req, "wh", "webhook");
    }

    private static ObjectNode view(Webhook w) {
        ObjectNode node = Json.object();
        node.put("id", w.id());
        node.put("url", w.url());
        ArrayNode events = node.putArray("events");
        w.events().forEach(events::add);
        node.put("active", w.active());
        node.put("created_at", Json.time(w.createdAt()));
        return node;
    }
}
