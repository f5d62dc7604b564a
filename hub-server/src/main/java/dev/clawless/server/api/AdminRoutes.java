package dev.clawless.server.api;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.tenant.IssuedKey;
import dev.clawless.core.tenant.NewTenant;
import dev.clawless.core.tenant.QuotaOverrides;
import dev.clawless.core.tenant.Grantor;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantChange;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.tenant.TenantStatus;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/** {@code /admin/*}: the platform operator's routes (admin token, checked by the request filter). */
public final class AdminRoutes {

    private static final Set<String> TENANT_FIELDS = Set.of("name", "plan", "quotas", "settings");
    private static final Set<String> TENANT_PATCH_FIELDS = Set.of("name", "plan", "status", "quotas", "settings");

    private final TenantManagement tenants;
    private final AuditLog audit;
    private final Bodies bodies;
    private final Clock clock;

    public AdminRoutes(TenantManagement tenants, AuditLog audit, Bodies bodies, Clock clock) {
        this.tenants = tenants;
        this.audit = audit;
        this.bodies = bodies;
        this.clock = clock;
    }

    public void register(Routes routes) {
        routes.post("/admin/tenants", this::createTenant)
                .get("/admin/tenants", this::listTenants)
                .get("/admin/tenants/{id}", this::getTenant)
                .patch("/admin/tenants/{id}", this::updateTenant)
                .delete("/admin/tenants/{id}", this::deleteTenant)
                .post("/admin/tenants/{id}/api-keys", this::createKey)
                .get("/admin/tenants/{id}/api-keys", this::listKeys)
                .post("/admin/tenants/{id}/api-keys/{keyId}/rotate", this::rotateKey)
                .delete("/admin/tenants/{id}/api-keys/{keyId}", this::revokeKey)
                .get("/admin/audit", this::audit);
    }

    private void createTenant(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(bodies.object(req), TENANT_FIELDS);
        String name = in.requiredString("name", 1000);
        Optional<String> plan = in.string("plan", 40);
        QuotaOverrides quotas = Inputs.quotas(in).orElse(QuotaOverrides.NONE);
        var settings = Inputs.settings(in);
        in.done();
        Tenant t = tenants.create(RequestState.of(req).actor(), new NewTenant(name, plan, quotas, settings));
        res.header(HeaderNames.LOCATION, "/admin/tenants/" + t.id());
        Json.send(res, Status.CREATED_201, Views.tenant(t, tenants.effectiveQuotas(t)));
    }

    private void listTenants(ServerRequest req, ServerResponse res) {
        Optional<TenantStatus> status = Inputs.query(req, "status").map(s -> TenantStatus.fromWire(s)
                .orElseThrow(() -> ClawlessException.Validation.of("status", "must be active or suspended")));
        var page = tenants.list(status, Inputs.page(req));
        Json.send(res, Status.OK_200, Views.page(page, t -> Views.tenant(t, tenants.effectiveQuotas(t))));
    }

    private void getTenant(ServerRequest req, ServerResponse res) {
        Tenant t = tenants.get(tenantId(req));
        Json.send(res, Status.OK_200, Views.tenant(t, tenants.effectiveQuotas(t)));
    }

    private void updateTenant(ServerRequest req, ServerResponse res) {
        String id = tenantId(req);
        JsonInput in = JsonInput.of(bodies.object(req), TENANT_PATCH_FIELDS);
        TenantChange change = new TenantChange(in.string("name", 1000), in.string("plan", 40), Inputs.status(in),
                Inputs.quotas(in), Inputs.settings(in));
        in.done();
        Tenant t = tenants.update(RequestState.of(req).actor(), id, change);
        Json.send(res, Status.OK_200, Views.tenant(t, tenants.effectiveQuotas(t)));
    }

    private void deleteTenant(ServerRequest req, ServerResponse res) {
        tenants.delete(RequestState.of(req).actor(), tenantId(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void createKey(ServerRequest req, ServerResponse res) {
        String id = tenantId(req);
        JsonInput in = JsonInput.of(bodies.object(req), Inputs.KEY_FIELDS);
        var request = Inputs.newKey(in);
        in.done();
        IssuedKey issued = tenants.issueKey(RequestState.of(req).actor(), id, request, Grantor.ADMIN);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.CREATED_201, Views.issued(issued, clock.instant()));
    }

    private void listKeys(ServerRequest req, ServerResponse res) {
        var page = tenants.listKeys(tenantId(req), Inputs.page(req));
        Json.send(res, Status.OK_200, Views.page(page, k -> Views.apiKey(k, clock.instant())));
    }

    private void rotateKey(ServerRequest req, ServerResponse res) {
        String id = tenantId(req);
        String keyId = keyId(req);
        IssuedKey issued = tenants.rotateKey(RequestState.of(req).actor(), id, keyId, TenantRoutes.grace(bodies, req),
                Grantor.ADMIN);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.OK_200, Views.issued(issued, clock.instant()));
    }

    private void revokeKey(ServerRequest req, ServerResponse res) {
        tenants.revokeKey(RequestState.of(req).actor(), tenantId(req), keyId(req), Grantor.ADMIN);
        res.status(Status.NO_CONTENT_204).send();
    }

    private void audit(ServerRequest req, ServerResponse res) {
        var page = audit.list(Inputs.query(req, "tenant_id"), Inputs.query(req, "action"), Inputs.page(req));
        Json.send(res, Status.OK_200, Views.page(page, Views::audit));
    }

    private static String tenantId(ServerRequest req) {
        return Inputs.pathId(req, "ten", "tenant");
    }

    private static String keyId(ServerRequest req) {
        return Inputs.id(req.path().pathParameters().get("keyId"), "key", "API key");
    }
}
