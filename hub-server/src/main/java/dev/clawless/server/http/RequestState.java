package dev.clawless.server.http;

import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import io.helidon.webserver.http.ServerRequest;

import dev.clawless.core.security.Actor;
import dev.clawless.core.tenant.TenantPrincipal;

/**
 * What the hub learns about a request while serving it: its id, the route template that matched, and who is
 * calling. Registered in the request context by {@link RequestFilter}; one per request, used from its thread only.
 */
public final class RequestState {

    /** Route label of requests that matched no route. */
    public static final String UNMATCHED = "unmatched";

    private final String requestId;
    private final long startNanos;
    private volatile String route = UNMATCHED;
    private volatile TenantPrincipal principal;
    private volatile boolean admin;
    private volatile dev.clawless.core.account.Accounts.Authenticated person;
    private volatile String clientAddress = "";
    private volatile java.util.function.Supplier<Optional<TenantPrincipal>> recheck = Optional::empty;

    RequestState(String requestId, long startNanos) {
        this.requestId = requestId;
        this.startNanos = startNanos;
    }

    /** The state of a request; present on every request that passed the filter. */
    public static RequestState of(ServerRequest request) {
        return request.context().get(RequestState.class)
                .orElseThrow(() -> new IllegalStateException("request did not pass RequestFilter"));
    }

    public String requestId() {
        return requestId;
    }

    /** When (System.nanoTime) the request began, before its caller was authenticated. */
    public long startNanos() {
        return startNanos;
    }

    void recheck(java.util.function.Supplier<Optional<TenantPrincipal>> again) {
        this.recheck = again;
    }

    /**
     * Whether the caller may still read with {@code scope} in the same tenant, judged now: the request's credential is
     * authenticated again (no rate limit spent), so a revoked key, an ended session, a removed member, a lowered role
     * or a suspended tenant answer false. Long-lived answers (event streams) ask when a change of access names one of
     * {@link #credentialIds()}.
     */
    public boolean stillAllowed(dev.clawless.core.tenant.Scope scope) {
        TenantPrincipal was = principal;
        if (was == null) {
            return false;
        }
        Optional<TenantPrincipal> now = recheck.get();
        return now.isPresent() && now.get().tenantId().equals(was.tenantId()) && now.get().has(scope);
    }

    /**
     * The ids whose change of access concerns this caller (see {@code AccessChanges}): the tenant, the API key or the
     * person, and the person's browser session.
     */
    public Set<String> credentialIds() {
        Set<String> ids = new HashSet<>();
        TenantPrincipal p = principal;
        if (p != null) {
            ids.add(p.tenantId());
            ids.add(p.keyId());
        }
        var who = person;
        if (who != null) {
            ids.add(who.user().id());
            ids.add(who.session().id());
        }
        return ids;
    }

    /** When the caller's credential ends at the latest (the key's expiry, the browser session's end), if it does. */
    public Optional<Instant> credentialEnds() {
        var who = person;
        if (who != null) {
            return Optional.of(who.session().expiresAt());
        }
        TenantPrincipal p = principal;
        return p == null ? Optional.empty() : p.keyExpiresAt();
    }

    /** The caller's address: the peer, or what a trusted proxy says (see {@link ClientAddress}). */
    public String clientAddress() {
        return clientAddress;
    }

    void clientAddress(String address) {
        this.clientAddress = address;
    }

    public String route() {
        return route;
    }

    void route(String template) {
        this.route = template;
    }

    /** The authenticated tenant key, on {@code /v1} routes. */
    public Optional<TenantPrincipal> principal() {
        return Optional.ofNullable(principal);
    }

    void principal(TenantPrincipal p) {
        this.principal = p;
    }

    public boolean admin() {
        return admin;
    }

    void admin(boolean isAdmin) {
        this.admin = isAdmin;
    }

    /** The signed-in person, when the request came with a browser session instead of a key or token. */
    public Optional<dev.clawless.core.account.Accounts.Authenticated> person() {
        return Optional.ofNullable(person);
    }

    void person(dev.clawless.core.account.Accounts.Authenticated who) {
        this.person = who;
    }

    /** The person's id, when a person (not a key or the admin token) is calling. */
    public Optional<String> userId() {
        return person().map(p -> p.user().id());
    }

    /** Who is acting, for the audit log: the person, the admin token, or the API key. */
    public Actor actor() {
        if (person != null) {
            return new Actor(person.user().id(), requestId);
        }
        return admin ? Actor.admin(requestId) : Actor.apiKey(principal().map(TenantPrincipal::keyId)
                .orElse("anonymous"), requestId);
    }
}
