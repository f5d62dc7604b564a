package dev.clawless.server.api;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.tenant.Grantor;
import dev.clawless.core.tenant.IssuedKey;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantChange;
import dev.clawless.core.tenant.TenantConfig;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * {@code /v1/tenant} and {@code /v1/api-keys}: a tenant managing itself with its API key. Every id is looked up
 * within the caller's tenant, so another tenant's ids answer 404.
 */
public final class TenantRoutes {

    private static final Set<String> PATCH_FIELDS = Set.of("name", "settings");

    private final TenantManagement tenants;
    private final Bodies bodies;
    private final Clock clock;

    public TenantRoutes(TenantManagement tenants, Bodies bodies, Clock clock) {
        this.tenants = tenants;
        this.bodies = bodies;
        this.clock = clock;
    }

    public void register(Routes routes) {
        routes.get("/v1/tenant", this::getTenant)
                .patch("/v1/tenant", this::updateTenant)
                .post("/v1/api-keys", this::createKey)
                .get("/v1/api-keys", this::listKeys)
                .get("/v1/api-keys/{id}", this::getKey)
                .post("/v1/api-keys/{id}/rotate", this::rotateKey)
                .delete("/v1/api-keys/{id}", this::revokeKey);
    }

    private void getTenant(ServerRequest req, ServerResponse res) {
        Tenant t = Auth.tenant(req).tenant();
        Json.send(res, Status.OK_200, Views.tenant(t, tenants.effectiveQuotas(t)));
    }

    private void updateTenant(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.TENANT_ADMIN);
        JsonInput in = JsonInput.of(bodies.object(req), PATCH_FIELDS);
        TenantChange change = TenantChange.bySelf(in.string("name", 1000), Inputs.settings(in));
        in.done();
        Tenant t = tenants.update(RequestState.of(req).actor(), p.tenantId(), change);
        Json.send(res, Status.OK_200, Views.tenant(t, tenants.effectiveQuotas(t)));
    }

    private void createKey(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = keyManager(req);
        JsonInput in = JsonInput.of(bodies.object(req), Inputs.KEY_FIELDS);
        var request = Inputs.newKey(in);
        in.done();
        IssuedKey issued = tenants.issueKey(RequestState.of(req).actor(), p.tenantId(), request, Grantor.of(p));
        res.header(HeaderNames.LOCATION, "/v1/api-keys/" + issued.key().id());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.CREATED_201, Views.issued(issued, clock.instant()));
    }

    private void listKeys(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KEYS_ADMIN);
        var page = tenants.listKeys(p.tenantId(), Inputs.page(req));
        Json.send(res, Status.OK_200, Views.page(page, k -> Views.apiKey(k, clock.instant())));
    }

    private void getKey(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.KEYS_ADMIN);
        var key = tenants.getKey(p.tenantId(), keyId(req.path().pathParameters().get("id")));
        Json.send(res, Status.OK_200, Views.apiKey(key, clock.instant()));
    }

    private void rotateKey(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = keyManager(req);
        String keyId = keyId(req.path().pathParameters().get("id"));
        IssuedKey issued = tenants.rotateKey(RequestState.of(req).actor(), p.tenantId(), keyId, grace(bodies, req),
                Grantor.of(p));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.OK_200, Views.issued(issued, clock.instant()));
    }

    private void revokeKey(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = keyManager(req);
        tenants.revokeKey(RequestState.of(req).actor(), p.tenantId(), keyId(req.path().pathParameters().get("id")),
                Grantor.of(p));
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * The caller of a key-changing route: a key with {@code keys:admin}, presented with its current secret. A secret
     * replaced by a rotation still calls the API during its grace period, but cannot create, rotate or revoke keys;
     * otherwise whoever leaked it could outlast the rotation meant to shut them out.
     */
    private static TenantPrincipal keyManager(ServerRequest req) {
        TenantPrincipal p = Auth.require(req, Scope.KEYS_ADMIN);
        if (p.viaPreviousSecret()) {
            throw new ClawlessException.Forbidden("previous-secret", "this key was rotated; manage keys with its new"
                    + " secret");
        }
        return p;
    }

    /** The optional {@code {"grace_period_seconds": n}} body of a rotation. */
    static Optional<Duration> grace(Bodies bodies, ServerRequest req) {
        JsonInput in = bodies.optionalObject(req).map(b -> JsonInput.of(b, Set.of("grace_period_seconds")))
                .orElse(JsonInput.empty());
        Optional<Long> seconds = in.integer("grace_period_seconds", 0, TenantConfig.MAX_ROTATION_GRACE.toSeconds());
        in.done();
        return seconds.map(Duration::ofSeconds);
    }

    private static String keyId(String id) {
        return Inputs.id(id, "key", "API key");
    }
}
